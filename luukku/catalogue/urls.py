"""Public catalogue pages. Paths are Finnish in every language; the prefix (/sv/, /en/) tells
the language, so the language switch only swaps the prefix."""

from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
    path("haku/", views.search, name="search"),
    path("elamantilanteet/", views.life_event_list, name="life_events"),
    path("elamantilanteet/<str:code>/", views.life_event_detail, name="life_event"),
    path("kohderyhmat/", views.target_group_list, name="target_groups"),
    path("kohderyhmat/<str:code>/", views.target_group_detail, name="target_group"),
    path("aihealueet/<slug:code>/", views.domain_detail, name="domain"),
    path("palvelut/<slug:slug>/", views.service_detail, name="service"),
]
