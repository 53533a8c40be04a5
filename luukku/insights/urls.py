"""Staff insight pages, mounted under /staff/insights/."""

from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("representativeness/", views.representativeness, name="representativeness"),
    path("report/", views.report_page, name="report"),
    path("report/pdf/", views.report_pdf, name="report_pdf"),
    path("themes/", views.themes, name="themes"),
    path("alerts/", views.alerts, name="alerts"),
]
