"""The demo cases: realistic, consistent with the rules, and loaded once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luukku.accounts.models import User
from luukku.accounts.roles import HANDLE_CASES
from luukku.cases import services
from luukku.cases.demo import DEMO_CASES, DEMO_FEEDBACK, load_demo_cases
from luukku.cases.metrics import case_metrics
from luukku.cases.models import Case, CaseEvent, Customer
from luukku.demo.services import load_demo_region

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo_region()


def test_the_demo_has_forty_cases_open_and_closed_across_channels(demo):
    cases = Case.objects.filter(reference__startswith="DEMO-")
    assert cases.count() == len(DEMO_CASES) + len(DEMO_FEEDBACK) == 40
    assert demo.counts["demo cases"] == 40
    assert {"open", "closed"} == set(cases.values_list("status", flat=True))
    assert len(set(cases.values_list("channel", flat=True))) >= 5
    assert len(set(cases.values_list("owner_unit", flat=True))) >= 4
    assert Case.objects.in_transition().filter(reference__startswith="DEMO-").exists()
    for case in cases.filter(status="open").select_related("owner", "owner_unit"):
        assert services.may_handle_cases(case.owner, case.owner_unit), case
    assert cases.filter(service_request__isnull=False).count() == len(DEMO_FEEDBACK)
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() >= 2
    assert cases.filter(owner_changes__gt=0).exists()


def test_demo_customers_have_only_masked_test_identity_codes(demo):
    persons = Customer.objects.exclude(identity_code_masked="")
    assert persons.count() >= 10
    for customer in persons:
        assert customer.identity_code_masked.endswith("*****")


def test_the_demo_gives_the_metrics_something_to_show(demo):
    rows = case_metrics(by="organisation")
    assert sum(row.cases_closed for row in rows) >= 15
    assert any(row.sla_breaches for row in rows)


def test_a_second_load_writes_nothing(demo):
    counts = (Case.objects.count(), CaseEvent.objects.count(), Customer.objects.count())
    with CaptureQueriesContext(connection) as queries:
        assert load_demo_cases() == 0
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]
    assert writes == []
    assert (Case.objects.count(), CaseEvent.objects.count(), Customer.objects.count()) == counts


def test_without_the_demo_staff_no_cases_are_made(settings):
    settings.DEBUG = False
    load_demo_region()
    assert not Case.objects.exists()


def test_the_new_demo_roles_can_handle_cases(demo):
    for username in ("demo-esihenkilo", "demo-sote-ammattilainen"):
        assert User.objects.get(username=username).has_org_permission(HANDLE_CASES)
