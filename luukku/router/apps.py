from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RouterConfig(AppConfig):
    """Which service a free-text message is about: a Finnish-aware model and its triage queue."""

    name = "luukku.router"
    label = "router"
    verbose_name = _("Service routing")
