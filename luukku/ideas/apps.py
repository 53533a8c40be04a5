from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    """Staff ideas and observed customer needs (kehittämisteot), linked to services."""

    name = "luukku.ideas"
    label = "ideas"
    verbose_name = _("Staff ideas")
