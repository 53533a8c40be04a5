from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "luukku.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        # The Finnish dictionary is not loaded here: management commands and tests that never
        # search should not pay 3 s and 400 MB. Servers warm it up in luukku/wsgi.py and asgi.py.
        from luukku.catalogue import signals  # noqa: PLC0415

        signals.connect()
