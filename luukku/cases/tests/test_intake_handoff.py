"""From feedback to case and back: the intake hand-off and the public status that follows."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from luukku.accounts.roles import Role
from luukku.cases import services, tasks
from luukku.cases.models import Case, CaseEvent, Task
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.intake import services as intake
from luukku.intake.models import RequestEvent, ServiceRequest
from luukku.notifications.models import Notification
from luukku.router.models import RoutingExample, TriageItem
from luukku.router.services import Suggestion

from .factories import ServiceLevelFactory, UnitFactory, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit feedback as a customer would, running the after-commit hand-off."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = intake.submit_request(**{"description": "Katuvalo ei pala.", **kwargs})
        return ServiceRequest.objects.get(pk=result.request.pk)

    return run


@pytest.fixture
def city():
    """A city whose street unit has two case owners and a lead."""
    city = OrganisationFactory.create(name_fi="Kuopion kaupunki")
    streets = UnitFactory.create(parent=city, name_fi="Katupalvelut")
    return {
        "city": city,
        "streets": streets,
        "first": staff_member(streets, first_name="Olli", last_name="Omistaja"),
        "second": staff_member(streets, first_name="Outi", last_name="Omistaja"),
        "lead": staff_member(streets, Role.UNIT_LEAD),
    }


def states(request):
    return [(e.state, e.handler) for e in request.events.order_by("at", "pk")]


def test_new_feedback_opens_a_case_with_an_owner_a_task_and_a_public_expected_time(submit, city):
    level = ServiceLevelFactory.create(resolution_days=7)
    request = submit(service=level.service, agency_responsible=city["city"])
    case = Case.objects.get(service_request=request)
    assert case.owner == city["first"]
    assert case.owner_unit == city["streets"]
    task = case.tasks.get()
    assert (task.service, task.organisation) == (level.service, city["city"])
    assert request.expected_at == request.requested_at + timedelta(days=7)
    assert request.detailed_status == ServiceRequest.DetailedStatus.HANDLING
    assert states(request) == [
        ("received", ""),
        ("allocated", "Katupalvelut"),
        ("handling", "Kuopion kaupunki"),
    ]
    assert "Omistaja" not in str(states(request))  # never a person's name in public


def test_the_task_goes_to_the_services_producer_inside_the_responsible_organisation(submit, city):
    service = ServiceFactory.create(producers=[OrganisationFactory.create(), city["streets"]])
    request = submit(service=service, agency_responsible=city["city"])
    task = Case.objects.get(service_request=request).tasks.get()
    assert task.organisation == city["streets"]


def test_the_person_who_left_contact_details_becomes_the_customer(submit, city):
    request = submit(
        service=ServiceFactory.create(),
        agency_responsible=city["city"],
        first_name="Maija",
        last_name="Meikäläinen",
        email="maija@example.fi",
        locale="sv",
    )
    customer = Case.objects.get(service_request=request).customer
    assert customer is not None
    assert (customer.name, customer.email, customer.language) == (
        "Maija Meikäläinen",
        "maija@example.fi",
        "sv",
    )
    anonymous = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    assert Case.objects.get(service_request=anonymous).customer is None


def test_new_cases_go_round_the_team_by_fewest_open_cases(submit, city):
    service = ServiceFactory.create()
    owners = [
        Case.objects.get(
            service_request=submit(service=service, agency_responsible=city["city"])
        ).owner
        for _ in range(3)
    ]
    assert owners == [city["first"], city["second"], city["first"]]


def test_the_unit_lead_owns_when_there_is_no_front_line(submit):
    unit = UnitFactory.create()
    lead = staff_member(unit, Role.UNIT_LEAD)
    request = submit(service=ServiceFactory.create(), agency_responsible=unit.parent)
    assert Case.objects.get(service_request=request).owner == lead


def test_feedback_for_an_organisation_without_staff_goes_to_customer_service(submit):
    desk = UnitFactory.create(name_fi="Palvelupiste")
    agent = staff_member(desk, Role.CUSTOMER_SERVICE_AGENT)
    request = submit(
        service=ServiceFactory.create(), agency_responsible=OrganisationFactory.create()
    )
    case = Case.objects.get(service_request=request)
    assert (case.owner, case.owner_unit) == (agent, desk)


def test_feedback_nobody_can_own_waits_and_is_picked_up_later(submit, caplog):
    request = submit(service=ServiceFactory.create())
    assert not Case.objects.exists()
    assert "periodic task will retry" in caplog.text
    assert ServiceRequest.objects.filter(pk=request.pk).exists()  # the request is not lost

    agent = staff_member(role=Role.CUSTOMER_SERVICE_AGENT)
    assert tasks.open_waiting_cases() == 0  # too fresh: its own hand-off may still be running
    ServiceRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - timedelta(minutes=10)
    )
    assert tasks.open_waiting_cases() == 1
    assert Case.objects.get(service_request=request).owner == agent
    assert tasks.open_waiting_cases() == 0  # once


def test_a_failing_hand_off_never_fails_the_submission(submit, city, monkeypatch, caplog):
    def broken(request):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "open_case_from_request", broken)
    with caplog.at_level(logging.ERROR):
        request = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    assert request.pk
    assert not Case.objects.exists()
    assert "database went away" in caplog.text


def test_a_message_without_service_gets_the_routers_confident_suggestion(submit, city, monkeypatch):
    service = ServiceFactory.create()
    suggestion = Suggestion(
        service=service, slug=service.slug, name="x", organisation=city["streets"], confidence=0.9
    )
    monkeypatch.setattr(services.router, "suggest", lambda text, **kw: [suggestion])
    monkeypatch.setattr(services.router, "needs_triage", lambda suggestions: False)
    request = submit(service=None, agency_responsible=city["city"])
    task = Case.objects.get(service_request=request).tasks.get()
    assert (task.service, task.organisation) == (service, city["streets"])
    assert not TriageItem.objects.exists()


def test_an_unsure_message_goes_to_triage_and_still_has_an_owner(submit, city, monkeypatch):
    monkeypatch.setattr(services.router, "suggest", lambda text, **kw: [])
    request = submit(service=None, agency_responsible=city["city"], title="Outo asia")
    case = Case.objects.get(service_request=request)
    assert case.owner == city["first"]
    assert not case.tasks.exists()
    item = TriageItem.objects.get()
    assert (item.source, item.source_id) == ("intake", request.service_request_id)


def test_closing_the_case_shows_done_and_the_reply_in_the_public_history(submit, city):
    request = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    case = Case.objects.get(service_request=request)
    services.update_task(task=case.tasks.get(), actor=case.owner, status=Task.Status.DONE)
    services.close_case(
        case=case, outcome=Case.Outcome.SOLVED, actor=case.owner, summary="Lamppu vaihdettu."
    )
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.CLOSED
    assert request.status_notes == "Lamppu vaihdettu."
    last = request.events.order_by("at", "pk").last()
    assert (last.state, last.note, last.handler) == ("done", "Lamppu vaihdettu.", "Katupalvelut")
    # the handled case teaches the router what the message was about
    assert RoutingExample.objects.filter(service=case.tasks.get().service, source="case").exists()


def test_the_customer_saying_not_fixed_reopens_the_case_and_tells_the_owner(
    submit, city, django_capture_on_commit_callbacks
):
    request = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    case = Case.objects.get(service_request=request)
    services.update_task(task=case.tasks.get(), actor=None, status=Task.Status.CANCELLED)
    services.close_case(case=case, outcome="solved", actor=None, summary="Korjattu")
    request.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        intake.reopen_request(request=request, note="Ei se pala vieläkään.")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    update = case.events.get(kind=CaseEvent.Kind.CUSTOMER_UPDATE)
    assert update.reason == "Ei se pala vieläkään."
    assert Notification.objects.filter(recipient=case.owner, kind="customer_update").exists()
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.OPEN


def test_staff_reopening_opens_the_public_request_again(submit, city):
    request = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    case = Case.objects.get(service_request=request)
    services.update_task(task=case.tasks.get(), actor=None, status=Task.Status.CANCELLED)
    services.close_case(case=case, outcome="not_solved", actor=None)
    services.reopen_case(case=case, reason="Asiakas soitti", actor=case.owner)
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.OPEN
    assert request.events.order_by("at", "pk").last().state == RequestEvent.State.REOPENED


def test_only_general_customer_visible_notes_reach_the_public_history(submit, city):
    request = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    case = Case.objects.get(service_request=request)
    for visibility, sensitivity, body in [
        ("customer", "general", "Korjaus viikolla 48."),
        ("internal", "general", "Sisäinen muistiinpano"),
        ("customer", "social_health", "Terveystieto"),
    ]:
        services.add_note(
            case=case,
            author=case.owner,
            author_unit=case.owner_unit,
            body=body,
            visibility=visibility,
            sensitivity=sensitivity,
        )
    notes = [event.note for event in request.events.all() if event.note]
    assert notes == ["Korjaus viikolla 48."]


def test_a_transfer_moves_the_public_handler_to_the_new_unit(submit, city):
    request = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    case = Case.objects.get(service_request=request)
    parks = UnitFactory.create(name_fi="Puistopalvelut")
    services.transfer_ownership(
        case=case, to_owner=staff_member(parks), to_unit=parks, actor=None, reason="Puisto"
    )
    request.refresh_from_db()
    last = request.events.order_by("at", "pk").last()
    assert (last.state, last.handler) == ("handling", "Puistopalvelut")
    assert request.agency_responsible == parks.parent


def test_a_triage_decision_gives_the_feedbacks_case_its_task(submit, city, monkeypatch):
    monkeypatch.setattr(services.router, "suggest", lambda text, **kw: [])
    request = submit(service=None, agency_responsible=city["city"], title="Outo asia")
    item = TriageItem.objects.get()
    service = ServiceFactory.create(producers=[city["streets"]])
    task = services.decide_triage(item=item, service=service, actor=city["lead"])
    assert task is not None
    assert (task.case.service_request, task.service, task.organisation) == (
        request,
        service,
        city["streets"],
    )
    item.refresh_from_db()
    assert item.status == TriageItem.Status.DECIDED
    request.refresh_from_db()
    assert request.service == service
    assert RoutingExample.objects.filter(service=service, source="triage").exists()


def test_with_a_broker_new_requests_are_handed_over_in_one_queued_batch(
    submit, city, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(
        tasks.open_new_cases, "apply_async", lambda **options: queued.append(options)
    )
    service = ServiceFactory.create()
    first = submit(service=service, agency_responsible=city["city"])
    second = submit(service=service, agency_responsible=city["city"])
    assert len(queued) == 1  # one batch for both, not one task per request
    assert not Case.objects.exists()

    assert tasks.open_new_cases() == 2  # the worker runs the batch
    assert Case.objects.filter(service_request__in=[first, second]).count() == 2
    third = submit(service=service, agency_responsible=city["city"])
    assert len(queued) == 2  # the batch cleared its flag: the next request queues another
    assert tasks.open_new_cases() == 1
    assert Case.objects.filter(service_request=third).exists()


def test_a_batch_reads_past_requests_nobody_can_own(submit, city, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.open_new_cases, "apply_async", lambda **options: None)
    monkeypatch.setattr(services, "WAITING_BATCH", 2)
    orphans = [submit(service=ServiceFactory.create()) for _ in range(3)]  # no staff anywhere
    owned = submit(service=ServiceFactory.create(), agency_responsible=city["city"])
    assert tasks.open_new_cases() == 1
    assert Case.objects.get().service_request == owned
    assert not Case.objects.filter(service_request__in=orphans).exists()
