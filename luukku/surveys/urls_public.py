"""Public survey pages (answering, kiosk), mounted under /kysely/."""

from django.urls import path

from . import views_public

app_name = "surveys"

urlpatterns = [
    path("kutsu/<str:token>/", views_public.invitation, name="invitation"),
    path("t/<str:code>/", views_public.touchpoint, name="touchpoint"),
    path("kioski/<str:code>/", views_public.kiosk, name="kiosk"),
    path("kioski/<str:code>/kiitos/", views_public.kiosk_thanks, name="kiosk_thanks"),
    path("kiitos/<uuid:public_id>/", views_public.thanks, name="thanks"),
    path("henkilosto/", views_public.staff_surveys, name="staff_surveys"),
    path("henkilosto/<uuid:public_id>/", views_public.staff_answer, name="staff_answer"),
]
