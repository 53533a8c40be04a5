"""Factories for staff ideas: an idea always names a service and has an author who is staff."""

from __future__ import annotations

from typing import Any

import factory

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.models import Service, ServiceOrganisation
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.ideas.models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport
from luukku.organisations.models import Organisation


def service_of(
    organisation: Organisation, role: str = ServiceOrganisation.Role.RESPONSIBLE
) -> Service:
    """A new service that `organisation` is responsible for (or produces)."""
    service: Service = ServiceFactory.create()
    ServiceOrganisation.objects.create(
        service=service,
        organisation=organisation,
        role=role,
        provision_type=(
            ServiceOrganisation.ProvisionType.SELF_PRODUCED
            if role == ServiceOrganisation.Role.PRODUCER
            else ""
        ),
    )
    return service


class IdeaFactory(factory.django.DjangoModelFactory[Idea]):
    """An idea about `services=[...]` (a new service when not given), logged by a staff member."""

    class Meta:
        model = Idea
        skip_postgeneration_save = True

    kind = Idea.Kind.IDEA
    title = factory.Sequence(lambda n: f"Idea {n}")
    description = "Asiakkaat kysyvät samaa asiaa kolmesta paikasta."
    author = factory.LazyFunction(lambda: user_with_role(Role.CUSTOMER_SERVICE_AGENT))
    author_unit = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def services(obj: Idea, create: bool, extracted: list[Service] | None, **kwargs: Any) -> None:
        obj.services.set(extracted or [ServiceFactory.create()])

    @factory.post_generation
    def history(obj: Idea, create: bool, extracted: Any, **kwargs: Any) -> None:
        IdeaStatusChange.objects.create(
            idea=obj, changed_by=obj.author, from_status="", to_status=Idea.Status.NEW
        )


class IdeaSupportFactory(factory.django.DjangoModelFactory[IdeaSupport]):
    class Meta:
        model = IdeaSupport

    idea = factory.SubFactory(IdeaFactory)
    user = factory.LazyFunction(lambda: user_with_role(Role.CASE_OWNER))


class IdeaCommentFactory(factory.django.DjangoModelFactory[IdeaComment]):
    class Meta:
        model = IdeaComment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.LazyFunction(lambda: user_with_role(Role.CASE_OWNER))
    body = "Sama näkyy meilläkin."
