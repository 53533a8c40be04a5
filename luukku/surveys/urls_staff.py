"""Staff survey pages (builder, results, exports), mounted under /staff/surveys/."""

from django.urls import path

from . import views_staff as views

app_name = "surveys_staff"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.create_survey, name="create"),
    path("qr/<str:code>/", views.qr_page, name="qr"),
    path("<uuid:public_id>/", views.survey_page, name="survey"),
    path("<uuid:public_id>/settings/", views.edit_survey, name="edit"),
    path("<uuid:public_id>/status/", views.change_status, name="status"),
    path("<uuid:public_id>/questions/new/", views.question_form, name="add_question"),
    path(
        "<uuid:public_id>/questions/<int:question_id>/",
        views.question_form,
        name="edit_question",
    ),
    path(
        "<uuid:public_id>/questions/<int:question_id>/move/",
        views.move_question,
        name="move_question",
    ),
    path(
        "<uuid:public_id>/questions/<int:question_id>/delete/",
        views.delete_question,
        name="delete_question",
    ),
    path("<uuid:public_id>/touchpoints/new/", views.add_touchpoint, name="add_touchpoint"),
    path(
        "<uuid:public_id>/touchpoints/<int:touchpoint_id>/active/",
        views.set_touchpoint_active,
        name="touchpoint_active",
    ),
    path("<uuid:public_id>/results/", views.results_page, name="results"),
    path("<uuid:public_id>/export/", views.export, name="export"),
]
