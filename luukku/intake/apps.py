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

        from luukku.areas.models import Area  # noqa: PLC0415
        from luukku.catalogue.models import Service, ServiceOrganisation, ServiceText  # noqa: PLC0415
        from luukku.intake import reference, tasks  # noqa: PLC0415
        from luukku.intake.models import ApiClient, ServiceAttribute  # noqa: PLC0415
        from luukku.organisations.models import Organisation  # noqa: PLC0415

        tasks.connect()
        # The process's copy of the catalogue data the Open311 API names (reference.py).
        models = (
            Service,
            ServiceText,
            ServiceAttribute,
            ServiceOrganisation,
            Organisation,
            Area,
            ApiClient,
        )
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(
                    reference.forget,
                    sender=model,
                    dispatch_uid=f"open311-reference-{model.__name__}-{signal is post_save}",
                )
