"""Every periodic job in the beat schedule names a task a worker actually has: a typo or a task
module Celery does not import would otherwise fail silently, once a day, in production."""

from django.conf import settings


def test_every_beat_entry_names_a_registered_task():
    from luukku.celery import app  # noqa: PLC0415

    app.loader.import_default_modules()
    missing = {
        name: entry["task"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] not in app.tasks
    }
    assert missing == {}
