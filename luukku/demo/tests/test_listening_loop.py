"""The listening loop on the demo region, as issue 5 is checked: a case closes and its survey
arrives, the answer lands once though sent twice, a kiosk answer, a staff survey whose small
units stay hidden, and a panel drawn from a skewed pool with its quota report."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from luukku.accounts.models import User
from luukku.areas.models import Area
from luukku.cases import services as cases
from luukku.cases.models import Case, Task
from luukku.demo.services import load_demo_region
from luukku.notifications.tasks import drain
from luukku.organisations.models import Organisation
from luukku.panels.demo import CUSTOMER_PANEL
from luukku.panels.models import Panel
from luukku.surveys.demo import CUSTOMER_SURVEY_ID, STAFF_SURVEY_ID
from luukku.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_region(with_demo_users=True)
    mail.outbox.clear()


def close_demo_case(reference: str, capture) -> Case:
    """Finish a demo case's tasks and close it, as its owner does, running the after-commit work
    (the case_closed signal, the invitation, the outbox) as a worker would."""
    case = Case.objects.get(reference=reference)
    for task in case.tasks.filter(status__in=Task.ACTIVE):
        cases.update_task(task=task, actor=case.owner, status=Task.Status.DONE)
    with capture(execute=True):
        cases.close_case(case=case, outcome=Case.Outcome.SOLVED, actor=case.owner)
    drain()  # the outbox worker's next round
    return case


def test_a_closed_case_brings_its_survey_and_the_answer_lands_once(
    client, demo, django_capture_on_commit_callbacks
):
    survey = Survey.objects.get(public_id=CUSTOMER_SURVEY_ID)
    answers_before = survey.responses.count()

    case = close_demo_case("DEMO-005", django_capture_on_commit_callbacks)

    # Mikko Laitinen has not been asked in the last 30 days: the invitation goes by e-mail.
    assert case.customer is not None
    [message] = [sent for sent in mail.outbox if sent.to == [case.customer.email]]
    link = re.search(r"https?://[^/\s]+(/\S+)", str(message.body))
    assert link is not None, message.body
    page = link.group(1)
    assert "Miten onnistuimme?" in client.get(page).content.decode()

    form = {"nonce": "loop-1", "q-overall": "2", "q-what_wrong": "Jouduin odottamaan."}
    client.post(page, form)
    client.post(page, form)  # the customer's browser sends it again

    assert survey.responses.count() == answers_before + 1
    answer = Response.objects.get(invitation__isnull=False, survey=survey)
    assert answer.status == Response.Status.COMPLETE
    assert answer.answers.get(question__code="what_wrong").text == "Jouduin odottamaan."
    # An anonymous survey: the answer can no longer be followed back to the case.
    assert answer.invitation is not None
    assert answer.invitation.case is None
    assert answer.organisation == case.owner_unit


def test_the_answer_api_stores_a_retried_submission_once(client, demo):
    survey = Survey.objects.get(public_id=CUSTOMER_SURVEY_ID)
    before = survey.responses.count()
    url = reverse("surveys_api:responses", args=[survey.public_id])
    body = {"touchpoint": "demo-kirjasto-sivu", "answers": {"overall": 5, "nps": 10}}

    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert survey.responses.count() == before + 1


def test_a_kiosk_answer_remembers_the_service_point(client, demo):
    survey = Survey.objects.get(public_id=CUSTOMER_SURVEY_ID)
    kiosk = survey.touchpoints.get(code="demo-kuopio-kioski")
    before = survey.responses.count()

    client.post(reverse("surveys:kiosk", args=[kiosk.code]), {"nonce": "tap-1", "q-overall": "5"})
    client.post(reverse("surveys:kiosk", args=[kiosk.code]), {"nonce": "tap-1", "q-overall": "5"})

    assert survey.responses.count() == before + 1
    answer = survey.responses.order_by("-pk").first()
    assert answer is not None
    assert (answer.touchpoint, answer.location, answer.channel) == (
        kiosk,
        kiosk.location,
        "walk_in",
    )


def test_the_staff_survey_shows_no_unit_under_five(client, demo):
    """12, 9, 6 and 3 answers: the 3 are hidden, and so are the 6, since 'other units' with
    only 3 in it would give the hidden unit away."""
    client.force_login(User.objects.get(username="demo-kehittamispaallikko"))
    survey = Survey.objects.get(public_id=STAFF_SURVEY_ID)
    names = {
        org.slug: org.name_fi
        for org in Organisation.objects.filter(slug__startswith="kuopion-kaupunki-")
    }

    html = client.get(reverse("surveys_staff:results", args=[survey.public_id])).content.decode()
    export = client.get(
        reverse("surveys_staff:export", args=[survey.public_id]), {"format": "csv"}
    ).content.decode("utf-8-sig")

    for shown in ("kuopion-kaupunki-kaupunkiymparisto", "kuopion-kaupunki-kirjasto"):
        assert names[shown] in html
        assert f",{shown}," in export
    for hidden in ("kuopion-kaupunki-nuorisopalvelut", "kuopion-kaupunki-liikuntapalvelut"):
        assert names[hidden] not in html
        assert hidden not in export


def test_the_panel_from_a_skewed_pool_meets_the_municipality_quotas(client, demo):
    panel = Panel.objects.get(name_fi=CUSTOMER_PANEL)
    selection = panel.selections.get()
    municipalities = next(
        d for d in selection.report["dimensions"] if d["dimension"] == "municipality"
    )
    kuopio = next(
        row
        for row in municipalities["rows"]
        if row["value"] == Area.objects.get(area_type=Area.Type.MUNICIPALITY, code="297").code
        or row["value"] == "297"
    )
    pool_share = kuopio["pool"] / selection.report["pool"]

    # Two in three volunteers are from Kuopio; the panel has Kuopio's population share.
    assert pool_share > kuopio["population_share"] + 0.2
    assert kuopio["selected"] == kuopio["quota"]
    assert selection.members.count() == panel.size

    client.force_login(User.objects.get(username="demo-kehittamispaallikko"))
    report = client.get(reverse("panels_staff:report", args=[panel.pk]))
    assert report.status_code == 200
    assert "Kuopio" in report.content.decode()
    assert json.dumps(selection.seed) in report.content.decode()
