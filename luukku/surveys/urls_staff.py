"""Staff survey pages (builder, results, exports), mounted under /staff/surveys/."""

from django.urls import URLPattern

app_name = "surveys_staff"

urlpatterns: list[URLPattern] = []
