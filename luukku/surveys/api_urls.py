"""Survey answer API, mounted under /api/v1/surveys/."""

from django.urls import path

from . import api

app_name = "surveys_api"

urlpatterns = [
    path("<str:public_id>/responses/", api.ResponseCreateView.as_view(), name="responses"),
]
