"""Staff panel pages, mounted under /staff/panels/."""

from django.urls import path

from . import views

app_name = "panels_staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_edit, name="create"),
    path("<int:pk>/", views.staff_panel, name="panel"),
    path("<int:pk>/edit/", views.staff_edit, name="edit"),
    path("<int:pk>/close/", views.staff_close, name="close"),
    path("<int:pk>/volunteers/", views.staff_volunteers, name="volunteers"),
    path("<int:pk>/volunteers/<int:volunteer_pk>/", views.staff_volunteer, name="volunteer"),
    path("<int:pk>/draw/", views.staff_draw, name="draw"),
    path("<int:pk>/report/", views.staff_report, name="report"),
    path("<int:pk>/members/", views.staff_members, name="members"),
    path("<int:pk>/members/<int:member_pk>/withdraw/", views.staff_withdraw, name="withdraw"),
    path("<int:pk>/sessions/", views.staff_sessions, name="sessions"),
    path("<int:pk>/sessions/<int:session_pk>/", views.staff_session, name="session"),
    path(
        "<int:pk>/recommendations/<int:recommendation_pk>/respond/",
        views.staff_respond,
        name="respond",
    ),
]
