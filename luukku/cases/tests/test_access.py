"""Consent and confidentiality on the case page, told from the staff member's side: what a
team member of another organisation sees with and without the customer's consent, who sees
social and health care content, that a revocation bites at once, and that every view is audited.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from luukku.accounts.models import User
from luukku.accounts.roles import Role
from luukku.cases import services
from luukku.cases.models import Case, Consent, Note, Sensitivity
from luukku.cases.tests.factories import (
    CaseFactory,
    ConsentFactory,
    NoteFactory,
    TaskFactory,
    UnitFactory,
    staff_member,
)
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.core.models import AuditEvent
from luukku.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Pages in English (the /en/ prefix), so assertions read the source strings."""
    with translation.override("en"):
        yield


def same(name: str) -> dict[str, str]:
    return {"fi": name, "sv": name, "en": name}


def page_of(user: User, case: Case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:case", args=[case.reference]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def status_of(user: User, case: Case) -> int:
    client = Client()
    client.force_login(user)
    return client.get(reverse("cases:case", args=[case.reference])).status_code


@pytest.fixture
def family_case() -> dict[str, object]:
    """A family moving in: the customer service owns the case; daycare and housing each have a
    task; the owner wrote a note and daycare a note on its own task."""
    case = CaseFactory.create(title="Muutto Kuopioon")
    daycare_unit = UnitFactory.create(name_fi="Varhaiskasvatus", name_en="Varhaiskasvatus")
    housing_unit = UnitFactory.create(name_fi="Asuntotoimi", name_en="Asuntotoimi")
    daycare = TaskFactory.create(
        case=case,
        organisation=daycare_unit,
        service=ServiceFactory.create(names=same("Päivähoitopaikka")),
        description="Kaksi lasta, 3 ja 5 vuotta.",
    )
    housing = TaskFactory.create(
        case=case,
        organisation=housing_unit,
        service=ServiceFactory.create(names=same("Vuokra-asunto")),
        description="Kolmio keskustasta.",
    )
    NoteFactory.create(case=case, body="Omistajan muistiinpano: perhe muuttaa 1.3.")
    NoteFactory.create(
        case=case,
        task=daycare,
        author=None,
        author_unit=daycare_unit,
        body="Päiväkodin muistiinpano: paikka järjestyy.",
    )
    return {
        "case": case,
        "daycare_unit": daycare_unit,
        "housing_unit": housing_unit,
        "daycare": daycare,
        "housing": housing,
    }


def test_the_owner_and_the_owners_unit_see_the_whole_case(family_case) -> None:
    case: Case = family_case["case"]
    colleague = staff_member(case.owner_unit)

    for user in (case.owner, colleague):
        html = page_of(user, case)
        assert "Päivähoitopaikka" in html
        assert "Vuokra-asunto" in html
        assert "Omistajan muistiinpano" in html
        assert "Päiväkodin muistiinpano" in html


def test_a_team_member_without_consent_sees_only_their_own_task(family_case) -> None:
    case: Case = family_case["case"]
    daycare_worker = staff_member(family_case["daycare_unit"])

    html = page_of(daycare_worker, case)

    assert "Muutto Kuopioon" in html  # the case summary
    assert "Päivähoitopaikka" in html
    assert "Kaksi lasta" in html
    assert "Päiväkodin muistiinpano" in html  # notes on its own task
    assert "Vuokra-asunto" not in html
    assert "Kolmio keskustasta" not in html
    assert "Omistajan muistiinpano" not in html
    assert "1 other service need is not shown" in html


def test_consent_scope_summary_shows_the_other_tasks_but_not_the_notes(family_case) -> None:
    case: Case = family_case["case"]
    housing_worker = staff_member(family_case["housing_unit"])
    ConsentFactory.create(
        case=case, organisation=family_case["housing_unit"], scope=Consent.Scope.SUMMARY
    )

    html = page_of(housing_worker, case)

    assert "Vuokra-asunto" in html
    assert "Päivähoitopaikka" in html
    assert "Kaksi lasta" in html
    assert "Omistajan muistiinpano" not in html
    assert "Päiväkodin muistiinpano" not in html


def test_consent_scope_full_shows_the_notes(family_case) -> None:
    case: Case = family_case["case"]
    housing_worker = staff_member(family_case["housing_unit"])
    ConsentFactory.create(
        case=case, organisation=family_case["housing_unit"], scope=Consent.Scope.FULL
    )

    html = page_of(housing_worker, case)

    assert "Omistajan muistiinpano" in html
    assert "Päiväkodin muistiinpano" in html


def test_a_consent_to_an_organisation_covers_its_units(family_case) -> None:
    case: Case = family_case["case"]
    housing_unit: Organisation = family_case["housing_unit"]
    ConsentFactory.create(case=case, organisation=housing_unit.parent, scope=Consent.Scope.FULL)

    html = page_of(staff_member(housing_unit), case)

    assert "Omistajan muistiinpano" in html


def test_revoking_the_consent_takes_effect_at_once(family_case) -> None:
    case: Case = family_case["case"]
    housing_worker = staff_member(family_case["housing_unit"])
    consent = ConsentFactory.create(
        case=case, organisation=family_case["housing_unit"], scope=Consent.Scope.FULL
    )
    client = Client()
    client.force_login(housing_worker)
    url = reverse("cases:case", args=[case.reference])
    assert "Omistajan muistiinpano" in client.get(url).content.decode()

    services.revoke_consent(consent=consent, actor=case.owner)

    html = client.get(url).content.decode()
    assert "Omistajan muistiinpano" not in html
    assert "Päivähoitopaikka" not in html
    assert "Vuokra-asunto" in html


def test_an_unrelated_organisation_gets_not_found(family_case) -> None:
    case: Case = family_case["case"]
    stranger = staff_member(UnitFactory.create())

    assert status_of(stranger, case) == 404


def test_a_consent_to_someone_else_gives_nothing_to_an_unrelated_organisation(
    family_case,
) -> None:
    case: Case = family_case["case"]
    ConsentFactory.create(case=case, organisation=UnitFactory.create(), scope=Consent.Scope.FULL)

    assert status_of(staff_member(UnitFactory.create()), case) == 404


@pytest.fixture
def health_case() -> dict[str, object]:
    """A case with a mental health task produced by a health unit, and a health note on it."""
    case = CaseFactory.create(title="Jaksaminen")
    health_unit = UnitFactory.create(
        name_fi="Mielenterveyspalvelut", name_en="Mielenterveyspalvelut"
    )
    task = TaskFactory.create(
        case=case,
        organisation=health_unit,
        sensitivity=Sensitivity.SOCIAL_HEALTH,
        service=ServiceFactory.create(names=same("Terapia")),
        description="Masennusoireita.",
    )
    NoteFactory.create(
        case=case,
        task=task,
        author=None,
        author_unit=health_unit,
        sensitivity=Sensitivity.SOCIAL_HEALTH,
        body="Hoitosuunnitelma tehty.",
    )
    NoteFactory.create(case=case, body="Yleinen muistiinpano.")
    return {"case": case, "health_unit": health_unit, "task": task}


def test_social_and_health_content_is_hidden_from_the_owner_without_the_role(
    health_case,
) -> None:
    case: Case = health_case["case"]

    html = page_of(case.owner, case)

    assert "Yleinen muistiinpano" in html
    assert "content restricted" in html
    assert "Terapia" not in html
    assert "Masennusoireita" not in html
    assert "Hoitosuunnitelma" not in html


def test_a_health_professional_of_the_producing_unit_sees_the_content(health_case) -> None:
    case: Case = health_case["case"]
    nurse = staff_member(health_case["health_unit"], role=Role.SOCIAL_HEALTH_PROFESSIONAL)

    html = page_of(nurse, case)

    assert "Terapia" in html
    assert "Masennusoireita" in html
    assert "Hoitosuunnitelma" in html


def test_a_case_owner_in_the_producing_unit_without_the_role_does_not(health_case) -> None:
    case: Case = health_case["case"]
    clerk = staff_member(health_case["health_unit"], role=Role.CASE_OWNER)

    html = page_of(clerk, case)

    assert "Masennusoireita" not in html
    assert "Hoitosuunnitelma" not in html


def test_consent_including_social_health_opens_it_only_to_entitled_roles(health_case) -> None:
    case: Case = health_case["case"]
    social_unit = UnitFactory.create()
    ConsentFactory.create(
        case=case,
        organisation=social_unit,
        scope=Consent.Scope.FULL,
        includes_social_health=True,
    )
    social_worker = staff_member(social_unit, role=Role.SOCIAL_HEALTH_PROFESSIONAL)
    clerk = staff_member(social_unit, role=Role.CASE_OWNER)

    assert "Hoitosuunnitelma" in page_of(social_worker, case)
    assert "Hoitosuunnitelma" not in page_of(clerk, case)


def test_consent_without_social_health_keeps_it_hidden(health_case) -> None:
    case: Case = health_case["case"]
    social_unit = UnitFactory.create()
    ConsentFactory.create(case=case, organisation=social_unit, scope=Consent.Scope.FULL)
    social_worker = staff_member(social_unit, role=Role.SOCIAL_HEALTH_PROFESSIONAL)

    html = page_of(social_worker, case)

    assert "Yleinen muistiinpano" in html
    assert "Hoitosuunnitelma" not in html
    assert "Masennusoireita" not in html


def case_reads(case: Case) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.READ,
            content_type=ContentType.objects.get_for_model(Case),
            object_id=str(case.pk),
        ).order_by("pk")
    )


def test_every_case_page_view_is_audited_with_its_basis(family_case) -> None:
    case: Case = family_case["case"]
    daycare_worker = staff_member(family_case["daycare_unit"])
    housing_worker = staff_member(family_case["housing_unit"])
    consent = ConsentFactory.create(
        case=case, organisation=family_case["housing_unit"], scope=Consent.Scope.SUMMARY
    )

    page_of(case.owner, case)
    page_of(case.owner, case)
    page_of(staff_member(case.owner_unit), case)
    page_of(daycare_worker, case)
    page_of(housing_worker, case)

    reads = case_reads(case)
    assert [(event.actor, event.details["basis"]) for event in reads] == [
        (case.owner, "owner"),
        (case.owner, "owner"),
        (reads[2].actor, "owner's unit"),
        (daycare_worker, "task organisation"),
        (housing_worker, f"consent #{consent.pk} (summary)"),
    ]
    assert all(event.details["case"] == case.reference for event in reads)
    assert all(event.details["customer"] == case.customer_id for event in reads)
    assert "consent #" in reads[-1].purpose


def test_a_refused_view_is_not_logged_as_a_read(family_case) -> None:
    case: Case = family_case["case"]

    status_of(staff_member(UnitFactory.create()), case)

    assert case_reads(case) == []


def test_the_identity_code_is_never_shown_or_audited_in_full() -> None:
    owner_unit = UnitFactory.create()
    owner = staff_member(owner_unit)
    customer = services.find_or_create_customer(
        kind="person", name="Maija Meikäläinen", identity_code="131052-308T"
    )
    case = services.open_case(
        channel="phone",
        title="Toimeentulo",
        owner=owner,
        owner_unit=owner_unit,
        actor=owner,
        customer=customer,
    )

    html = page_of(owner, case)

    assert "131052*****" in html
    assert "308T" not in html
    for event in AuditEvent.objects.all():
        assert "308T" not in f"{event.purpose} {event.details}"


def test_notes_of_a_hidden_task_stay_hidden_even_with_the_task_named(family_case) -> None:
    """A note attached to another organisation's task is not shown to a team member."""
    case: Case = family_case["case"]
    housing_worker = staff_member(family_case["housing_unit"])
    assert Note.objects.filter(case=case, task=family_case["daycare"]).exists()

    html = page_of(housing_worker, case)

    assert "Päiväkodin muistiinpano" not in html
