"""Factories for cases: customers, cases with a consistent owner, tasks, notes, consents.

A case's owner always holds HANDLE_CASES in the case's owner unit (as the services require),
so tests that do not care about people still get a case the rules accept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from luukku.accounts.models import Membership, User
from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import UserFactory
from luukku.cases.models import (
    Case,
    CaseEvent,
    Channel,
    Consent,
    Customer,
    Note,
    ServiceLevel,
    Task,
    new_case_reference,
)
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.core.identifiers import business_id_check_digit
from luukku.organisations.models import Organisation


def in_days(days: int) -> Any:
    return timezone.localdate() + timedelta(days=days)


class UnitFactory(OrganisationFactory):
    """A unit (a child organisation) of a new municipality."""

    parent = factory.SubFactory(OrganisationFactory)
    name_fi = factory.Sequence(lambda n: f"Yksikkö {n}")


def staff_member(
    unit: Organisation | None = None, role: str = Role.CASE_OWNER, **user_fields: Any
) -> User:
    """A user holding `role` in `unit` (a new unit when not given), memberships fresh."""
    user: User = UserFactory.create(**user_fields)
    Membership.objects.create(user=user, organisation=unit or UnitFactory.create(), role=role)
    user.refresh_from_db()
    return user


class StaffMemberFactory(UserFactory):
    """`StaffMemberFactory(unit=org, role=Role.UNIT_LEAD)`: a user with one membership."""

    class Params:
        unit = factory.SubFactory(UnitFactory)
        role = Role.CASE_OWNER

    membership = factory.RelatedFactory(
        "luukku.accounts.tests.factories.MembershipFactory",
        factory_related_name="user",
        organisation=factory.SelfAttribute("..unit"),
        role=factory.SelfAttribute("..role"),
    )


def _valid_business_id(n: int) -> str:
    """The n-th valid Y-tunnus from 2000000 on (skipping bodies without a check digit)."""
    body = 2_000_000 + n
    while (digit := business_id_check_digit(f"{body:07d}")) is None:
        body += 1_000_000
    return f"{body:07d}-{digit}"


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    """A person without an identity code; use services.find_or_create_customer for one with."""

    class Meta:
        model = Customer

    kind = Customer.Kind.PERSON
    name = factory.Sequence(lambda n: f"Asiakas {n}")
    email = factory.Sequence(lambda n: f"asiakas{n}@example.fi")

    class Params:
        company = factory.Trait(
            kind=Customer.Kind.COMPANY,
            name=factory.Sequence(lambda n: f"Yritys {n} Oy"),
            business_id=factory.Sequence(_valid_business_id),
        )


class ServiceLevelFactory(factory.django.DjangoModelFactory[ServiceLevel]):
    class Meta:
        model = ServiceLevel

    service = factory.SubFactory(ServiceFactory)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """An open case owned by a case owner of `owner_unit`. `CaseFactory(closed=True)` closes it."""

    class Meta:
        model = Case

    reference = factory.LazyFunction(new_case_reference)
    title = factory.Sequence(lambda n: f"Asia {n}")
    channel = Channel.PHONE
    customer = factory.SubFactory(CustomerFactory)
    owner_unit = factory.SubFactory(UnitFactory)
    owner = factory.LazyAttribute(lambda o: staff_member(o.owner_unit))
    next_action_on = factory.LazyFunction(lambda: in_days(3))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    class Params:
        closed = factory.Trait(
            status=Case.Status.CLOSED,
            outcome=Case.Outcome.SOLVED,
            closed_at=factory.LazyFunction(timezone.now),
            next_action_on=None,
        )


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    """An open task of a new case for a new unit; `TaskFactory(done=True)` completes it."""

    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    service = factory.SubFactory(ServiceFactory)
    organisation = factory.SubFactory(UnitFactory)
    next_action_on = factory.LazyFunction(lambda: in_days(3))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    class Params:
        done = factory.Trait(
            status=Task.Status.DONE,
            completed_at=factory.LazyFunction(timezone.now),
            next_action_on=None,
        )


class NoteFactory(factory.django.DjangoModelFactory[Note]):
    """An internal note by the case's owner."""

    class Meta:
        model = Note

    case = factory.SubFactory(CaseFactory)
    author = factory.SelfAttribute("case.owner")
    author_unit = factory.SelfAttribute("case.owner_unit")
    body = factory.Sequence(lambda n: f"Soitin asiakkaalle ({n}).")


class ConsentFactory(factory.django.DjangoModelFactory[Consent]):
    """An active consent to share the case summary with a new organisation."""

    class Meta:
        model = Consent

    case = factory.SubFactory(CaseFactory)
    organisation = factory.SubFactory(UnitFactory)
    scope = Consent.Scope.SUMMARY
    how_given = "Suullisesti puhelimessa"
    recorded_by = factory.SelfAttribute("case.owner")


class CaseEventFactory(factory.django.DjangoModelFactory[CaseEvent]):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = CaseEvent.Kind.NOTE_ADDED
    actor = factory.SelfAttribute("case.owner")
