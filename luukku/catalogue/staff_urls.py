"""Staff pages of the catalogue, under /staff/catalogue/."""

from django.urls import path

from . import staff_views

app_name = "catalogue_staff"
urlpatterns = [
    path("allianssi/", staff_views.alliance_view, name="alliance"),
    path("allianssi.csv", staff_views.alliance_csv_view, name="alliance_csv"),
]
