"""Staff pages for case work, mounted under /staff/cases/ in luukku/urls.py."""

from django.urls import path

from . import views, views_metrics

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.open_case, name="open"),
    path("metrics/", views_metrics.metrics, name="metrics"),
    path("triage/<int:item_id>/", views.triage_item, name="triage_item"),
    path("<str:reference>/", views.case_page, name="case"),
    path("<str:reference>/notes/", views.add_note, name="add_note"),
    path(
        "<str:reference>/customer-update/",
        views.record_customer_update,
        name="customer_update",
    ),
    path("<str:reference>/next-action/", views.set_next_action, name="next_action"),
    path("<str:reference>/take/", views.take_ownership, name="take"),
    path("<str:reference>/transfer/", views.transfer, name="transfer"),
    path("<str:reference>/tasks/new/", views.add_task, name="add_task"),
    path("<str:reference>/tasks/<int:task_id>/", views.update_task, name="update_task"),
    path("<str:reference>/consents/new/", views.give_consent, name="give_consent"),
    path(
        "<str:reference>/consents/<int:consent_id>/revoke/",
        views.revoke_consent,
        name="revoke_consent",
    ),
    path("<str:reference>/close/", views.close, name="close"),
    path("<str:reference>/reopen/", views.reopen, name="reopen"),
    path("<str:reference>/merge/", views.merge, name="merge"),
    path("<str:reference>/split/", views.split, name="split"),
]
