from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo region (Pohjois-Savo) and demo staff logins; data only, no models."""

    name = "luukku.demo"
    label = "demo"
