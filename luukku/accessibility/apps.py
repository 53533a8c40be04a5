from django.apps import AppConfig


class AccessibilityConfig(AppConfig):
    name = "luukku.accessibility"
    label = "accessibility"
