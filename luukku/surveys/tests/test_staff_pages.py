"""The staff survey pages: who may open what, and a service manager building a survey from
start to published, with clear messages where the input is wrong."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.models import ServiceChannel
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceChannelFactory
from luukku.core.models import AuditEvent
from luukku.surveys.models import Question, Survey, Touchpoint
from luukku.surveys.tests.factories import TouchpointFactory, standard_survey
from luukku.surveys.tests.test_results import answer

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"surveys_staff:{name}", args=args)


@pytest.fixture
def organisation():
    return OrganisationFactory.create()


@pytest.fixture
def survey(organisation):
    survey = standard_survey(organisation=organisation)
    answer(survey, overall=4)
    return survey


@pytest.fixture
def location_touchpoint(survey):
    return TouchpointFactory.create(
        survey=survey,
        kind=Touchpoint.Kind.LOCATION,
        location=ServiceChannelFactory.create(),
    )


def page_urls(survey: Survey, touchpoint: Touchpoint) -> dict[str, str]:
    question = survey.questions.get(code="overall")
    return {
        "list": url("list"),
        "create": url("create"),
        "survey": url("survey", survey.public_id),
        "edit": url("edit", survey.public_id),
        "add_question": url("add_question", survey.public_id),
        "edit_question": url("edit_question", survey.public_id, question.pk),
        "add_touchpoint": url("add_touchpoint", survey.public_id),
        "qr": url("qr", touchpoint.code),
        "results": url("results", survey.public_id),
        "export": url("export", survey.public_id) + "?format=csv&layout=wide",
    }


ALL = {
    "list",
    "create",
    "survey",
    "edit",
    "add_question",
    "edit_question",
    "add_touchpoint",
    "qr",
    "results",
    "export",
}
READ = {"list", "survey", "results", "export"}


@pytest.mark.parametrize(
    ("role", "own_organisation", "allowed"),
    [
        (Role.SERVICE_MANAGER, True, ALL),
        (Role.ORGANISATION_ADMIN, True, ALL),
        (Role.ANALYST, True, READ),
        (Role.UNIT_LEAD, True, READ),
        (Role.SERVICE_MANAGER, False, {"list", "create"}),
        (Role.ANALYST, False, {"list"}),
        (Role.CUSTOMER_SERVICE_AGENT, True, set()),
        (Role.REGION_ADMIN, False, ALL),
    ],
)
def test_permission_matrix(
    client, survey, location_touchpoint, organisation, role, own_organisation, allowed
):
    user = user_with_role(role, organisation if own_organisation else None)
    client.force_login(user)

    statuses = {
        name: client.get(address).status_code
        for name, address in page_urls(survey, location_touchpoint).items()
    }

    assert {name for name, status in statuses.items() if status == 200} == allowed
    assert {name: statuses[name] for name in ALL - allowed} == dict.fromkeys(ALL - allowed, 403)


def test_anonymous_visitors_go_to_the_login_page(client, survey, location_touchpoint):
    for address in page_urls(survey, location_touchpoint).values():
        response = client.get(address)
        assert response.status_code == 302, address
        assert "/staff/kirjaudu/" in response["Location"]


def test_the_list_shows_only_the_users_organisations_surveys(client, survey):
    elsewhere = standard_survey(title_en="Muualla")
    client.force_login(user_with_role(Role.ANALYST, survey.organisation))

    page = client.get(url("list")).content.decode()

    assert survey.title_en in page
    assert elsewhere.title_en not in page
    assert "New survey" not in page


def test_an_analyst_cannot_change_anything(client, survey):
    client.force_login(user_with_role(Role.ANALYST, survey.organisation))
    overall = survey.questions.get(code="overall")

    posts = [
        client.post(url("status", survey.public_id), {"status": "closed"}),
        client.post(url("delete_question", survey.public_id, overall.pk)),
        client.post(url("move_question", survey.public_id, overall.pk), {"direction": "down"}),
    ]

    assert [response.status_code for response in posts] == [403, 403, 403]
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_a_manager_creates_a_survey_in_their_organisation_only(client, organisation):
    manager = user_with_role(Role.SERVICE_MANAGER, organisation)
    client.force_login(manager)
    data = {
        "kind": "customer",
        "title_fi": "Asiointikysely",
        "retention_days": 365,
        "expiry_action": "anonymise",
        "asks_background": "on",
    }

    refused = client.post(url("create"), data | {"organisation": OrganisationFactory.create().pk})
    created = client.post(url("create"), data | {"organisation": organisation.pk})

    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    survey = Survey.objects.get(title_fi="Asiointikysely")
    assert created["Location"] == url("survey", survey.public_id)
    assert (survey.organisation, survey.created_by, survey.status) == (
        organisation,
        manager,
        Survey.Status.DRAFT,
    )
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(survey.pk)
    ).exists()


def test_a_staff_survey_cannot_be_identified(client, organisation):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, organisation))

    response = client.post(
        url("create"),
        {
            "kind": "staff",
            "organisation": organisation.pk,
            "title_fi": "Henkilöstökysely",
            "identified": "on",
            "retention_days": 365,
            "expiry_action": "delete",
        },
    )

    assert "Staff surveys are always anonymous." in response.content.decode()
    assert not Survey.objects.filter(title_fi="Henkilöstökysely").exists()


def question_data(**fields) -> dict:
    data = {
        "code": "contact_way",
        "kind": "single",
        "text_fi": "Miten asioit?",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "40",
        "choices-0-code": "phone",
        "choices-0-label_fi": "Puhelimessa",
        "choices-1-code": "visit",
        "choices-1-label_fi": "Käymällä",
    }
    return data | fields


def test_a_question_with_choices_and_a_condition_is_added(client, organisation):
    survey = standard_survey(organisation=organisation, status=Survey.Status.DRAFT)
    overall = survey.questions.get(code="overall")
    client.force_login(user_with_role(Role.SERVICE_MANAGER, organisation))

    response = client.post(
        url("add_question", survey.public_id),
        question_data(show_if_question=overall.pk, show_if_operator="lte", condition_value="2"),
    )

    assert response.status_code == 302
    question = survey.questions.get(code="contact_way")
    assert list(question.choices.values_list("code", flat=True)) == ["phone", "visit"]
    assert (question.show_if_question, question.show_if_value) == (overall, 2)


def test_a_wrong_condition_is_explained_next_to_its_field(client, organisation):
    survey = standard_survey(organisation=organisation, status=Survey.Status.DRAFT)
    overall = survey.questions.get(code="overall")
    client.force_login(user_with_role(Role.SERVICE_MANAGER, organisation))

    response = client.post(
        url("add_question", survey.public_id),
        question_data(show_if_question=overall.pk, show_if_operator="lte", condition_value="7"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "7 is outside the scale of overall (1–5)." in page
    assert 'id="id_condition_value_error"' in page
    assert 'aria-invalid="true"' in page
    assert not survey.questions.filter(code="contact_way").exists()


def test_a_choice_row_without_a_code_is_explained(client, organisation):
    survey = standard_survey(organisation=organisation, status=Survey.Status.DRAFT)
    client.force_login(user_with_role(Role.SERVICE_MANAGER, organisation))

    response = client.post(
        url("add_question", survey.public_id), question_data(**{"choices-2-label_fi": "Chat"})
    )

    page = response.content.decode()
    assert "Give the choice a code." in page
    assert 'class="error-summary"' in page
    assert not survey.questions.filter(code="contact_way").exists()


def test_the_survey_page_explains_why_questions_are_fixed_once_answered(client, survey):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, survey.organisation))

    page = client.get(url("survey", survey.public_id)).content.decode()
    removal = client.post(
        url("delete_question", survey.public_id, survey.questions.get(code="comments").pk),
        follow=True,
    )

    assert "This survey already has answers." in page
    assert "Remove comments" not in page
    assert "cannot be removed once the survey has answers" in removal.content.decode()
    assert survey.questions.filter(code="comments").exists()


def test_publishing_lists_what_is_missing_and_warns_about_translations(client, organisation):
    survey = standard_survey(organisation=organisation, status=Survey.Status.DRAFT)
    Question.objects.filter(survey=survey, code="nps").update(text_sv="")
    client.force_login(user_with_role(Role.SERVICE_MANAGER, organisation))

    response = client.post(url("status", survey.public_id), {"status": "open"}, follow=True)

    page = response.content.decode()
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    warning = next(line for line in page.splitlines() if "No Swedish version yet" in line)
    assert "Question nps" in warning
    assert "Question overall" not in warning


def test_the_status_message_is_one_sentence_in_the_staff_members_language(client, organisation):
    survey = standard_survey(organisation=organisation, status=Survey.Status.DRAFT)
    client.force_login(user_with_role(Role.SERVICE_MANAGER, organisation))
    with translation.override("fi"):
        address = reverse("surveys_staff:status", args=[survey.public_id])

    page = client.post(address, {"status": "open"}, follow=True).content.decode()

    assert "Kyselyn tila on nyt ”avoin”." in page
    assert "The survey is now" not in page


def test_touchpoints_show_their_public_address_and_qr_code(client, survey):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, survey.organisation))
    office = ServiceChannelFactory.create(channel_type=ServiceChannel.Type.SERVICE_LOCATION)

    added = client.post(
        url("add_touchpoint", survey.public_id),
        {"kind": "kiosk", "label": "Aula", "location": office.pk},
    )
    missing = client.post(url("add_touchpoint", survey.public_id), {"kind": "location"})
    kiosk = survey.touchpoints.get(label="Aula")
    page = client.get(url("survey", survey.public_id)).content.decode()
    qr = client.get(url("qr", kiosk.code)).content.decode()

    assert added.status_code == 302
    assert "Choose the service location for a QR code or a kiosk." in missing.content.decode()
    with translation.override("fi"):  # printed codes open in the default language
        kiosk_address = "http://testserver" + reverse("surveys:kiosk", args=[kiosk.code])
    assert kiosk_address in page
    assert "<svg" in qr
    assert 'role="img"' in qr
    assert kiosk_address in qr


def test_a_touchpoint_is_closed_and_reopened(client, survey, location_touchpoint):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, survey.organisation))
    address = url("touchpoint_active", survey.public_id, location_touchpoint.pk)

    client.post(address, {"active": "0"})
    location_touchpoint.refresh_from_db()
    closed = location_touchpoint.active
    client.post(address, {"active": "1"})
    location_touchpoint.refresh_from_db()

    assert (closed, location_touchpoint.active) == (False, True)


def test_the_results_page_shows_numbers_and_export_links(client, survey):
    client.force_login(user_with_role(Role.ANALYST, survey.organisation))

    page = client.get(url("results", survey.public_id)).content.decode()

    assert "1 complete response." in page
    assert "format=xlsx&amp;layout=wide" in page


def test_hidden_results_say_so_and_exports_are_refused(client, survey):
    survey.hide_results_until_closed = True
    survey.save()
    client.force_login(user_with_role(Role.ANALYST, survey.organisation))

    page = client.get(url("results", survey.public_id)).content.decode()
    export = client.get(url("export", survey.public_id) + "?format=csv", follow=True)

    assert "hidden until it closes" in page
    assert "1 complete response so far." in page
    assert "format=xlsx" not in page
    assert export.redirect_chain[-1][0] == url("results", survey.public_id)
    assert "exports" in export.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_export_download_is_a_file_and_audited(client, survey):
    analyst = user_with_role(Role.ANALYST, survey.organisation)
    client.force_login(analyst)

    response = client.get(url("export", survey.public_id) + "?format=xlsx&layout=long")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="survey-')
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=analyst).exists()


def test_the_list_reads_in_a_fixed_number_of_queries(
    client, organisation, django_assert_max_num_queries
):
    for _ in range(5):
        standard_survey(organisation=organisation)
    client.force_login(user_with_role(Role.SERVICE_MANAGER, organisation))

    with django_assert_max_num_queries(12):
        response = client.get(url("list"))

    assert response.status_code == 200
