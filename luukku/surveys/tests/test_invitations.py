"""A closed case invites its customer to the case-closed survey: once, by the right channel,
to the most specific survey, and never where an invitation would do harm."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from luukku.cases import services as cases
from luukku.cases.models import Case, Channel, Sensitivity
from luukku.cases.signals import case_closed
from luukku.cases.tests.factories import CaseFactory, CustomerFactory, TaskFactory, UnitFactory
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.notifications.models import Notification
from luukku.surveys.invitations import invite_for_closed_case
from luukku.surveys.models import Invitation, Survey, Touchpoint
from luukku.surveys.tests.factories import SurveyFactory, TouchpointFactory
from luukku.surveys.tokens import hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    city = OrganisationFactory.create(name_fi="Kuopion kaupunki", name_sv="Kuopio stad")
    return {
        "city": city,
        "unit": UnitFactory.create(
            parent=city, name_fi="Katupalvelut", name_sv="Gatutjänster", name_en="Street services"
        ),
    }


@pytest.fixture
def close(django_capture_on_commit_callbacks):
    """Close a case as staff do, running what happens after the commit (the signal, delivery)."""

    def run(case, outcome=Case.Outcome.SOLVED):
        with django_capture_on_commit_callbacks(execute=True):
            cases.close_case(case=case, outcome=outcome, actor=case.owner)
        case.refresh_from_db()
        return case

    return run


def closable_case(unit, *, service=None, sensitivity=Sensitivity.GENERAL, **case_fields):
    case = CaseFactory.create(owner_unit=unit, **case_fields)
    TaskFactory.create(
        case=case,
        organisation=unit,
        done=True,
        sensitivity=sensitivity,
        **({"service": service} if service else {}),
    )
    return case


def case_closed_touchpoint(organisation=None, **fields):
    survey_fields = {
        key.removeprefix("survey__"): fields.pop(key) for key in list(fields) if "__" in key
    }
    survey = SurveyFactory.create(
        organisation=organisation or OrganisationFactory(), **survey_fields
    )
    return TouchpointFactory.create(
        survey=survey, kind=Touchpoint.Kind.CASE_CLOSED, organisation=organisation, **fields
    )


def closed_case(unit, **fields):
    case = closable_case(unit, **fields)
    case.status, case.outcome, case.closed_at = (
        Case.Status.CLOSED,
        Case.Outcome.SOLVED,
        timezone.now(),
    )
    case.next_action_on = None
    case.save()
    return case


def invited(case, **kwargs) -> Invitation:
    invitation = invite_for_closed_case(case=case, **kwargs)
    assert invitation is not None, "no invitation"
    return invitation


def link_in(text: str) -> str:
    found = re.search(r"http\S+", text)
    assert found is not None, "no link"
    return found.group(0)


def test_a_closed_case_sends_its_survey_once_even_when_the_signal_is_retried(city, close):
    touchpoint = case_closed_touchpoint(city["city"])
    service = ServiceFactory.create()
    case = closable_case(city["unit"], service=service, channel=Channel.FEEDBACK)
    close(case)

    case_closed.send(sender=Case, case=case)  # a retry of the same closing
    invitation = Invitation.objects.get()
    assert invitation.touchpoint == touchpoint
    assert invitation.case == case
    assert (invitation.service, invitation.channel) == (service, "web")
    assert invitation.organisation == city["unit"]
    assert invitation.sent_via == Invitation.SentVia.EMAIL
    assert invitation.expires_at - invitation.created_at == timedelta(days=30)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [case.customer.email]
    body = str(message.body)
    token_text = link_in(body).rstrip("/").rsplit("/", 1)[-1]
    assert hash_token(token_text) == invitation.token_hash
    assert token_text not in invitation.token_hash
    assert body.count("http://") == 1
    assert reverse("surveys:invitation", args=[token_text]) in body
    assert Notification.objects.filter(kind="survey_invitation").count() == 1


def test_the_same_closing_never_invites_twice_even_without_the_fatigue_rule(city, settings):
    settings.LUUKKU_SURVEY_INVITATION_INTERVAL_DAYS = 0
    case_closed_touchpoint(city["city"])
    case = closed_case(city["unit"])
    first = invited(case)
    Invitation.objects.filter(pk=first.pk).update(case=None)  # an anonymous survey answered
    assert invite_for_closed_case(case=case) is None
    assert Invitation.objects.count() == 1
    assert Notification.objects.filter(kind="survey_invitation").count() == 1


def test_a_reopened_case_closed_again_may_invite_again(city, close, settings):
    settings.LUUKKU_SURVEY_INVITATION_INTERVAL_DAYS = 0
    case_closed_touchpoint(city["city"])
    case = close(closable_case(city["unit"]))
    cases.reopen_case(case=case, reason="Asiakas soitti uudelleen.", actor=case.owner)
    close(case)
    assert Invitation.objects.count() == 2
    assert Notification.objects.filter(kind="survey_invitation").count() == 2


def test_a_customer_invited_recently_is_not_invited_again(city, close):
    case_closed_touchpoint(city["city"])
    customer = CustomerFactory.create()
    close(closable_case(city["unit"], customer=customer))
    close(closable_case(city["unit"], customer=customer))
    assert Invitation.objects.count() == 1


def test_an_answered_anonymous_invitation_still_counts_against_survey_fatigue(city):
    case_closed_touchpoint(city["city"])
    customer = CustomerFactory.create()
    first = invited(closed_case(city["unit"], customer=customer))
    # What answering does to an anonymous survey's invitation: the case link is cut.
    Invitation.objects.filter(pk=first.pk).update(case=None)
    assert invite_for_closed_case(case=closed_case(city["unit"], customer=customer)) is None


def test_after_the_interval_the_customer_is_invited_again(city):
    case_closed_touchpoint(city["city"])
    customer = CustomerFactory.create()
    invite_for_closed_case(case=closed_case(city["unit"], customer=customer))
    later = timezone.now() + timedelta(days=31)
    assert invite_for_closed_case(case=closed_case(city["unit"], customer=customer), now=later)


def test_a_text_message_when_the_touchpoint_prefers_it_short_and_in_the_customers_language(city):
    touchpoint = case_closed_touchpoint(
        city["city"], prefer_sms=True, survey__title_sv="Hur lyckades vi?"
    )
    customer = CustomerFactory.create(phone="+358401234567", language="sv")
    invitation = invited(closed_case(city["unit"], customer=customer))
    assert invitation.touchpoint == touchpoint
    assert invitation.sent_via == Invitation.SentVia.SMS
    assert invitation.language == "sv"
    sms = Notification.objects.get(kind="survey_invitation")
    assert (sms.channel, sms.address, sms.language) == ("sms", "+358401234567", "sv")
    link_length = len(link_in(sms.body))
    assert len(sms.body) - link_length <= 100
    assert city["unit"].name_fi not in sms.body  # a text message names no one


def test_a_text_message_when_there_is_no_email_and_nothing_without_either(city):
    case_closed_touchpoint(city["city"])
    phone_only = CustomerFactory.create(email="", phone="0401234567")
    nothing = CustomerFactory.create(email="", phone="")
    assert invited(closed_case(city["unit"], customer=phone_only)).sent_via == (
        Invitation.SentVia.SMS
    )
    assert invite_for_closed_case(case=closed_case(city["unit"], customer=nothing)) is None


def test_email_in_the_customers_language_names_the_survey_and_the_unit(city):
    case_closed_touchpoint(city["city"], survey__title_sv="Hur lyckades vi?")
    customer = CustomerFactory.create(language="sv")
    invite_for_closed_case(case=closed_case(city["unit"], customer=customer))
    email = Notification.objects.get(kind="survey_invitation")
    assert email.channel == "email"
    assert "Hur lyckades vi?" in email.subject
    assert "Gatutjänster" in email.body


def test_no_invitation_for_a_case_with_a_social_and_health_care_task(city):
    case_closed_touchpoint(city["city"])
    case = closed_case(city["unit"], sensitivity=Sensitivity.SOCIAL_HEALTH)
    assert invite_for_closed_case(case=case) is None
    assert not Notification.objects.exists()


def test_no_invitation_for_a_case_merged_into_another(city):
    case_closed_touchpoint(city["city"])
    survivor = CaseFactory.create(owner_unit=city["unit"])
    case = closed_case(city["unit"])
    Case.objects.filter(pk=case.pk).update(outcome=Case.Outcome.MERGED, merged_into=survivor)
    assert invite_for_closed_case(case=case) is None


def test_no_invitation_for_a_case_without_a_customer_or_still_open(city):
    case_closed_touchpoint(city["city"])
    assert invite_for_closed_case(case=closed_case(city["unit"], customer=None)) is None
    assert invite_for_closed_case(case=closable_case(city["unit"])) is None


def test_the_most_specific_touchpoint_is_chosen(city):
    service = ServiceFactory.create()
    case_closed_touchpoint(None)  # region-wide
    case_closed_touchpoint(city["city"])
    unit_level = case_closed_touchpoint(city["unit"])
    case = closed_case(city["unit"], service=service)
    assert invited(case).touchpoint == unit_level

    for_service = case_closed_touchpoint(city["city"], service=service)
    case = closed_case(city["unit"], service=service, customer=CustomerFactory())
    assert invited(case).touchpoint == for_service


def test_touchpoints_that_do_not_fit_the_case_are_ignored(city):
    other_city = OrganisationFactory.create()
    case_closed_touchpoint(other_city)
    case_closed_touchpoint(city["city"], service=ServiceFactory())
    case_closed_touchpoint(city["city"], active=False)
    case_closed_touchpoint(city["city"], survey__status=Survey.Status.DRAFT)
    case_closed_touchpoint(
        city["city"],
        survey__closes_at=timezone.now() - timedelta(days=1),
        survey__opens_at=timezone.now() - timedelta(days=10),
    )
    case_closed_touchpoint(city["city"], survey__kind=Survey.Kind.STAFF)
    TouchpointFactory.create(survey=SurveyFactory(organisation=city["city"]), kind="open_link")
    assert invite_for_closed_case(case=closed_case(city["unit"])) is None


def test_an_invitation_that_fails_does_not_fail_the_closing(city, close, monkeypatch):
    case_closed_touchpoint(city["city"])

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("luukku.surveys.receivers.invite_for_closed_case", broken)
    case = close(closable_case(city["unit"]))
    assert case.status == Case.Status.CLOSED
    assert not Invitation.objects.exists()
