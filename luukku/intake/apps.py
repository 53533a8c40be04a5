from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Feedback and service requests in: the Open311 (6Aika) API and the public form."""

    name = "luukku.intake"
    label = "intake"
    verbose_name = _("Feedback and service requests")
