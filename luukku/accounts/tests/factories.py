"""Staff users with roles, for tests."""

from __future__ import annotations

from typing import Any

import factory

from luukku.accounts.models import Membership, User
from luukku.accounts.roles import Role
from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.organisations.models import Organisation

TEST_PASSWORD = "oikea-salasana-123"


def _set_password(user: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
    user.set_password(extracted or TEST_PASSWORD)
    if create:
        user.save(update_fields=["password"])


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Testi"
    last_name = factory.Sequence(lambda n: f"Käyttäjä {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.fi")
    password = factory.PostGeneration(_set_password)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CUSTOMER_SERVICE_AGENT


def user_with_role(role: str, organisation: Organisation | None = None, **user_fields: Any) -> User:
    """A user holding `role` in `organisation` (a new municipality when not given)."""
    user: User = UserFactory.create(**user_fields)
    MembershipFactory.create(
        user=user, organisation=organisation or OrganisationFactory.create(), role=role
    )
    user.refresh_from_db()
    return user
