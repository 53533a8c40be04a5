from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("kirjaudu/", views.LoginView.as_view(), name="login"),
    path("kirjaudu-ulos/", views.LogoutView.as_view(), name="logout"),
]
