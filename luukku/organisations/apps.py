from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "luukku.organisations"
    label = "organisations"
