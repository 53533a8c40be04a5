from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    """Customer panels (asiakasraati): recruitment, sortition, sessions and recommendations."""

    name = "luukku.panels"
    label = "panels"
    verbose_name = _("Customer panels")
