from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Customer and staff surveys at every touchpoint: building, answering, results, exports."""

    name = "luukku.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # A closed case invites its customer to the case-closed survey (receivers.py).
        from luukku.surveys import receivers  # noqa: PLC0415

        receivers.connect()
        # The service page links to the open surveys offered there (catalogue/page_extras.py).
        from luukku.catalogue import page_extras  # noqa: PLC0415
        from luukku.surveys.answering import service_page_links  # noqa: PLC0415

        page_extras.register(service_page_links)
