from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "luukku.accounts"
    label = "accounts"
