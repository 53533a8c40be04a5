"""Factories for intake: API clients, requests with their first event, service attributes."""

from __future__ import annotations

from typing import Any

import factory

from luukku.catalogue.tests.factories import ServiceFactory
from luukku.intake.models import ApiClient, RequestEvent, ServiceAttribute, ServiceRequest


class ApiClientFactory(factory.django.DjangoModelFactory[ApiClient]):
    """`ApiClientFactory()` has a key; the raw key is on `client.raw_key` (tests only)."""

    class Meta:
        model = ApiClient

    name = factory.Sequence(lambda n: f"Client {n}")

    @classmethod
    def _create(cls, model_class: type[ApiClient], *args: Any, **kwargs: Any) -> ApiClient:
        client = model_class(**kwargs)
        client.raw_key = client.set_new_key()  # type: ignore[attr-defined]
        client.save()
        return client


class ServiceAttributeFactory(factory.django.DjangoModelFactory[ServiceAttribute]):
    class Meta:
        model = ServiceAttribute

    service = factory.SubFactory(ServiceFactory)
    code = factory.Sequence(lambda n: f"attribute-{n}")
    description_fi = factory.Sequence(lambda n: f"Kysymys {n}")
    description_sv = factory.Sequence(lambda n: f"Fråga {n}")
    description_en = factory.Sequence(lambda n: f"Question {n}")


class ServiceRequestFactory(factory.django.DjangoModelFactory[ServiceRequest]):
    """A public, open request with its `received` event, as `submit_request` would leave it."""

    class Meta:
        model = ServiceRequest
        skip_postgeneration_save = True

    service = factory.SubFactory(ServiceFactory)
    description = factory.Sequence(lambda n: f"Katuvalo {n} ei pala.")
    moderation = ServiceRequest.Moderation.PUBLIC

    @factory.post_generation
    def received_event(obj: ServiceRequest, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            RequestEvent.objects.create(
                request=obj, state=RequestEvent.State.RECEIVED, at=obj.requested_at
            )


def raw_key_of(client: ApiClient) -> str:
    """The key `ApiClientFactory` made (kept on the instance for tests only)."""
    return str(client.__dict__["raw_key"])
