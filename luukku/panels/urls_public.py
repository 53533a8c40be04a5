"""Public panel pages (sign-up, published responses), mounted under /raati/."""

from django.urls import path

from . import views

app_name = "panels"

urlpatterns = [
    path("", views.panel_list, name="list"),
    path("suositukset/", views.recommendations, name="recommendations"),
    path("<int:pk>/", views.panel_page, name="panel"),
    path("<int:pk>/ilmoittaudu/", views.sign_up, name="signup"),
    path("<int:pk>/kiitos/", views.thanks, name="thanks"),
]
