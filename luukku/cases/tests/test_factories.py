"""The factories build what the rules accept: an owner entitled in the owner unit."""

import pytest

from luukku.accounts.roles import HANDLE_CASES, LEAD_UNIT, Role
from luukku.cases.models import Case, Task
from luukku.core.identifiers import validate_business_id

from .factories import (
    CaseFactory,
    ConsentFactory,
    CustomerFactory,
    NoteFactory,
    StaffMemberFactory,
    TaskFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_case_owner_may_handle_cases_in_the_owner_unit():
    case = CaseFactory.create()
    assert case.owner.has_org_permission(HANDLE_CASES, case.owner_unit)
    assert case.status == Case.Status.OPEN
    assert case.reference.startswith("A")


def test_closed_and_done_traits_satisfy_the_constraints():
    case = CaseFactory.create(closed=True)
    task = TaskFactory.create(case=case, done=True)
    assert case.outcome == Case.Outcome.SOLVED
    assert task.status == Task.Status.DONE


def test_staff_member_factory_gives_the_role_in_the_unit():
    unit = UnitFactory.create()
    lead = StaffMemberFactory.create(unit=unit, role=Role.UNIT_LEAD)
    assert lead.has_org_permission(LEAD_UNIT, unit)
    assert not StaffMemberFactory.create().has_org_permission(LEAD_UNIT, unit)


def test_company_customers_have_valid_distinct_business_ids():
    first, second = CustomerFactory.create(company=True), CustomerFactory.create(company=True)
    assert validate_business_id(first.business_id) == first.business_id
    assert first.business_id != second.business_id


def test_note_and_consent_default_to_the_case_owner():
    note = NoteFactory.create()
    consent = ConsentFactory.create(case=note.case)
    assert note.author == note.case.owner
    assert consent.recorded_by == note.case.owner
