from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Feedback and service requests in: the Open311 (6Aika) API and the public form."""

    name = "luukku.intake"
    label = "intake"
    verbose_name = _("Feedback and service requests")

    def ready(self) -> None:
        # The e-mail confirmation follows request_submitted (luukku/intake/tasks.py).
        from luukku.intake import tasks  # noqa: PLC0415

        tasks.connect()
