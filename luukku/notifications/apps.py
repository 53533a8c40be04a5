from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """A transactional outbox: messages are written with the change that causes them."""

    name = "luukku.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
