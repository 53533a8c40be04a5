"""Customers: identity codes kept only as a keyed hash and a masked form, never logged."""

import logging

import pytest

from luukku.cases import services
from luukku.cases.models import Customer
from luukku.cases.services import CaseError

pytestmark = pytest.mark.django_db

CODE = "131052-308T"  # the Digital and Population Data Services Agency's example


def test_a_person_is_found_again_by_identity_code_and_the_code_is_not_stored():
    first = services.find_or_create_customer(
        kind="person", name="Maija Meikäläinen", identity_code=CODE
    )
    again = services.find_or_create_customer(
        kind="person", name="M. Meikäläinen", identity_code=" 131052-308t ", phone="040 123"
    )
    assert again.pk == first.pk
    assert again.phone == "040 123"  # a missing contact detail is filled in
    stored = Customer.objects.values().get(pk=first.pk)
    assert CODE not in str(stored)
    assert stored["identity_code_masked"] == "131052*****"
    assert len(stored["identity_code_hash"]) == 64


def test_the_hash_depends_on_the_key(settings):
    settings.IDENTITY_CODE_HASH_KEY = "first-key"
    first = services.identity_code_hash(CODE)
    settings.IDENTITY_CODE_HASH_KEY = "second-key"
    assert services.identity_code_hash(CODE) != first
    settings.IDENTITY_CODE_HASH_KEY = ""
    assert services.identity_code_hash(CODE) not in (first, "")


def test_known_contact_details_are_never_overwritten():
    services.find_or_create_customer(
        kind="person", name="Maija", identity_code=CODE, email="maija@example.fi"
    )
    again = services.find_or_create_customer(
        kind="person", name="Maija", identity_code=CODE, email="joku@example.fi"
    )
    assert again.email == "maija@example.fi"


def test_people_without_an_identity_code_are_never_joined_by_name():
    first = services.find_or_create_customer(kind="person", name="Matti Virtanen")
    second = services.find_or_create_customer(kind="person", name="Matti Virtanen")
    assert first.pk != second.pk


@pytest.mark.parametrize(
    "code", ["131052-308X", "310252-308T", "131052-000T", "1310523-08T", "abc"]
)
def test_a_wrong_identity_code_is_refused_without_repeating_it(code, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CaseError) as error:
        services.find_or_create_customer(kind="person", name="Maija", identity_code=code)
    assert error.value.field == "identity_code"
    assert code not in error.value.message
    assert code not in caplog.text
    assert not Customer.objects.exists()


def test_the_identity_code_is_never_logged(caplog):
    caplog.set_level(logging.DEBUG)
    services.find_or_create_customer(kind="person", name="Maija", identity_code=CODE)
    services.find_or_create_customer(kind="person", name="Maija", identity_code=CODE)
    assert CODE not in caplog.text
    assert CODE.lower() not in caplog.text.lower()


def test_a_company_is_found_by_its_business_id():
    first = services.find_or_create_customer(
        kind="company", name="Savon Sahat Oy", business_id="0737546-2"
    )
    again = services.find_or_create_customer(
        kind="company",
        name="Savon Sahat",
        business_id="737546-2",  # the old form
    )
    assert again.pk == first.pk
    assert first.business_id == "0737546-2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "company", "name": "X Oy", "business_id": "0737546-3"}, "business_id"),
        ({"kind": "person", "name": "Maija", "business_id": "0737546-2"}, "business_id"),
        ({"kind": "company", "name": "X Oy", "identity_code": CODE}, "identity_code"),
        ({"kind": "robot", "name": "R2"}, "kind"),
        ({"kind": "person", "name": "  "}, "name"),
    ],
)
def test_inconsistent_customers_are_refused(kwargs, field):
    with pytest.raises(CaseError) as error:
        services.find_or_create_customer(**kwargs)
    assert error.value.field == field
    assert not Customer.objects.exists()
