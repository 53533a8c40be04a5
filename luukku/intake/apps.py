from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Feedback and service requests in: the Open311 (6Aika) API and the public form."""

    name = "luukku.intake"
    label = "intake"
    verbose_name = _("Feedback and service requests")

    def ready(self) -> None:
        # The e-mail confirmation follows request_submitted (luukku/intake/tasks.py).
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from luukku.catalogue.models import Service, ServiceText  # noqa: PLC0415
        from luukku.intake import selectors, tasks  # noqa: PLC0415
        from luukku.organisations.models import Organisation  # noqa: PLC0415

        tasks.connect()
        # The Open311 answers' copy of services and organisations (selectors.reference_data).
        for model in (Service, ServiceText, Organisation):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.forget_reference_data,
                    sender=model,
                    dispatch_uid=f"open311-reference-{model.__name__}-{signal is post_save}",
                )
