from django.urls import URLPattern

app_name = "accessibility"
urlpatterns: list[URLPattern] = []
