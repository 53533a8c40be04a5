from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "luukku.areas"
    label = "areas"
