from django.urls import path

from . import views

app_name = "accessibility"
urlpatterns = [
    path("", views.statement, name="statement"),
    path("palaute/", views.feedback, name="feedback"),
    path("palaute/kuittaus/", views.receipt, name="receipt"),
    path("palautteet/", views.inbox, name="inbox"),
    path("palautteet/<int:pk>/", views.item, name="item"),
]
