from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """One customer, one owner: the customer's whole matter across organisations."""

    name = "luukku.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Cases start from intake's request_submitted (receivers.py).
        from luukku.cases import receivers  # noqa: PLC0415

        receivers.connect()
