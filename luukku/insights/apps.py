from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The knowledge base: who answered, what they meant, and what is changing."""

    name = "luukku.insights"
    label = "insights"
    verbose_name = _("Insights")
