"""Building a survey: conditions that make sense, codes that stay stable once answered,
publishing that needs Finnish everywhere, touchpoints that know where they are."""

from __future__ import annotations

import pytest
from django.utils import translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.models import ServiceChannel
from luukku.catalogue.tests.factories import ServiceChannelFactory, ServiceFactory
from luukku.core.models import AuditEvent
from luukku.surveys import builder, exports
from luukku.surveys.builder import BuilderError, ChoiceData
from luukku.surveys.models import Choice, Question, Survey, Touchpoint
from luukku.surveys.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    SurveyFactory,
    standard_survey,
)

pytestmark = pytest.mark.django_db

AB = [ChoiceData("a", "A"), ChoiceData("b", "B")]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, the language they are written in."""
    with translation.override("en"):
        yield


@pytest.fixture
def manager():
    return user_with_role(Role.SERVICE_MANAGER)


def errors_of(excinfo: pytest.ExceptionInfo[BuilderError]) -> dict[str, list[str]]:
    return excinfo.value.errors


def new_question(survey: Survey, **fields) -> Question:
    defaults = {"code": "q", "kind": Question.Kind.RATING, "text_fi": "Kysymys"}
    return Question(survey=survey, **(defaults | fields))


def test_a_new_question_goes_last_and_its_choices_keep_their_order(manager):
    survey = standard_survey()

    question = builder.save_question(
        question=new_question(survey, code="where", kind=Question.Kind.SINGLE_CHOICE),
        choices=[ChoiceData("b", "Bee"), ChoiceData("a", "Aa", "Ää", "Ay")],
        actor=manager,
    )

    assert question.position == max(q.position for q in survey.questions.all())
    assert [(c.code, c.label_fi, c.position) for c in question.choices.all()] == [
        ("b", "Bee", 0),
        ("a", "Aa", 1),
    ]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(question.pk), actor=manager
    ).exists()


@pytest.mark.parametrize(
    ("trigger_code", "operator", "value", "field", "message"),
    [
        ("overall", "lte", "6", "condition_value", "6 is outside the scale of overall (1–5)."),
        ("overall", "lte", "two", "condition_value", "give a whole number from 1 to 5"),
        ("overall", "eq", "1, 2", "condition_value", "choose “is any of” for several"),
        ("overall", "lte", "", "condition_value", "Give the value"),
        ("nps", "in", "9, 11", "condition_value", "11 is outside the scale of nps (0–10)."),
        ("contact_channel", "eq", "c", "condition_value", "contact_channel has no choice c"),
        ("contact_channel", "lte", "a", "show_if_operator", "work with scale questions"),
        ("comments", "eq", "x", "show_if_question", "not on free text"),
    ],
)
def test_a_condition_must_fit_its_trigger(manager, trigger_code, operator, value, field, message):
    survey = standard_survey()
    trigger = survey.questions.get(code=trigger_code)

    with pytest.raises(BuilderError) as excinfo:
        builder.save_question(
            question=new_question(survey, show_if_question=trigger, show_if_operator=operator),
            choices=[],
            condition_value=value,
            actor=manager,
        )

    assert message in " ".join(errors_of(excinfo)[field])
    assert not survey.questions.filter(code="q").exists()


@pytest.mark.parametrize(
    ("trigger_code", "operator", "value", "stored"),
    [
        ("overall", "lte", "2", 2),
        ("nps", "in", "0, 10", [0, 10]),
        ("contact_channel", "eq", "other", "other"),
        ("topics", "in", "x,z", ["x", "z"]),
    ],
)
def test_a_valid_condition_is_stored_typed(manager, trigger_code, operator, value, stored):
    survey = standard_survey()
    trigger = survey.questions.get(code=trigger_code)

    question = builder.save_question(
        question=new_question(survey, show_if_question=trigger, show_if_operator=operator),
        choices=[],
        condition_value=value,
        actor=manager,
    )

    question.refresh_from_db()
    assert question.show_if_value == stored


def test_a_condition_cannot_point_to_a_later_question(manager):
    survey = standard_survey()
    overall = survey.questions.get(code="overall")
    nps = survey.questions.get(code="nps")
    overall.show_if_question = nps
    overall.show_if_operator = "gte"

    with pytest.raises(BuilderError) as excinfo:
        builder.save_question(question=overall, choices=[], condition_value="9", actor=manager)

    assert errors_of(excinfo)["show_if_question"] == [
        "A condition can only depend on an earlier question."
    ]


def test_a_dependant_cannot_move_above_its_trigger(manager):
    survey = standard_survey()
    what_wrong = survey.questions.get(code="what_wrong")

    with pytest.raises(BuilderError) as excinfo:
        builder.move_question(question=what_wrong, up=True, actor=manager)

    assert "what_wrong depends on overall" in errors_of(excinfo)[""][0]
    builder.move_question(question=survey.questions.get(code="nps"), up=True, actor=manager)
    assert list(survey.questions.values_list("code", flat=True))[:3] == [
        "overall",
        "nps",
        "what_wrong",
    ]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([], "needs at least one choice"),
        ([ChoiceData("a", "A"), ChoiceData("a", "B")], "Two choices have the code “a”."),
        ([ChoiceData("other", "Muu")], "reserved"),
        ([ChoiceData("a__b", "A")], "two underscores"),
        ([ChoiceData("a", "")], "no Finnish label"),
    ],
)
def test_choices_are_checked(manager, choices, message):
    survey = SurveyFactory.create(status=Survey.Status.DRAFT)

    with pytest.raises(BuilderError) as excinfo:
        builder.save_question(
            question=new_question(survey, kind=Question.Kind.SINGLE_CHOICE),
            choices=choices,
            actor=manager,
        )

    assert message in errors_of(excinfo)[""][0]


def test_question_codes_are_unique_and_cannot_contain_the_column_separator(manager):
    survey = standard_survey()

    with pytest.raises(BuilderError) as duplicate:
        builder.save_question(question=new_question(survey, code="nps"), choices=[], actor=manager)
    with pytest.raises(BuilderError) as separator:
        builder.save_question(question=new_question(survey, code="a__b"), choices=[], actor=manager)

    assert "has the code “nps”" in errors_of(duplicate)["code"][0]
    assert "two underscores" in errors_of(separator)["code"][0]


@pytest.mark.parametrize("code", ["channel", "service", "sex", "staff_unit", "response_id"])
def test_a_question_code_cannot_take_an_export_columns_name(manager, code):
    """Two columns of the same name in the wide export would be ambiguous for the analyst."""
    survey = standard_survey()

    with pytest.raises(BuilderError) as excinfo:
        builder.save_question(question=new_question(survey, code=code), choices=[], actor=manager)

    assert "taken by a column of the exports" in errors_of(excinfo)["code"][0]
    assert not survey.questions.filter(code=code).exists()


def test_wide_export_columns_are_unique_for_every_allowed_code(manager):
    survey = standard_survey()
    builder.save_question(
        question=new_question(survey, code="channel_used"), choices=[], actor=manager
    )

    header, _rows = exports.wide_table(survey)

    assert len(header) == len(set(header))


def test_once_answered_the_structure_is_fixed_but_texts_can_be_corrected(manager):
    survey = standard_survey()
    single = survey.questions.get(code="contact_channel")
    AnswerFactory.create(response__survey=survey, question=single, choices=["a"])

    single.kind = Question.Kind.MULTIPLE_CHOICE
    with pytest.raises(BuilderError) as kind_change:
        builder.save_question(question=single, choices=AB, actor=manager)
    single.refresh_from_db()
    with pytest.raises(BuilderError) as removed_choice:
        builder.save_question(question=single, choices=AB[:1], actor=manager)
    with pytest.raises(BuilderError) as deletion:
        builder.delete_question(question=single, actor=manager)
    single.text_fi = "Miten asioit meillä?"
    builder.save_question(
        question=single, choices=[ChoiceData("a", "Puhelimitse"), AB[1]], actor=manager
    )

    assert "The type cannot change" in errors_of(kind_change)["kind"][0]
    assert "Choices b cannot be removed" in errors_of(removed_choice)[""][0]
    assert "cannot be removed once the survey has answers" in errors_of(deletion)[""][0]
    single.refresh_from_db()
    assert single.text_fi == "Miten asioit meillä?"
    assert Choice.objects.get(question=single, code="a").label_fi == "Puhelimitse"


def test_a_trigger_cannot_lose_the_choice_a_condition_needs(manager):
    survey = SurveyFactory.create(status=Survey.Status.DRAFT)
    trigger = builder.save_question(
        question=new_question(survey, code="t", kind=Question.Kind.SINGLE_CHOICE),
        choices=AB,
        actor=manager,
    )
    builder.save_question(
        question=new_question(survey, code="d", show_if_question=trigger, show_if_operator="eq"),
        choices=[],
        condition_value="b",
        actor=manager,
    )

    with pytest.raises(BuilderError) as excinfo:
        builder.save_question(question=trigger, choices=AB[:1], actor=manager)
    with pytest.raises(BuilderError) as deletion:
        builder.delete_question(question=trigger, actor=manager)

    assert "Question d is shown on a condition about this question" in errors_of(excinfo)[""][0]
    assert "Questions d are shown on a condition about this one" in errors_of(deletion)[""][0]


def test_publishing_needs_questions_and_finnish_texts_and_warns_about_translations(manager):
    survey = SurveyFactory.create(status=Survey.Status.DRAFT, title_sv="", intro_sv="Hej")
    survey.intro_fi = ""
    survey.save()

    with pytest.raises(BuilderError) as empty:
        builder.change_status(survey=survey, status=Survey.Status.OPEN, actor=manager)
    QuestionFactory.create(survey=survey, code="q1", text_fi="Arvio", text_en="")
    with pytest.raises(BuilderError) as no_finnish_intro:
        builder.change_status(survey=survey, status=Survey.Status.OPEN, actor=manager)
    survey.intro_fi = "Hei"
    survey.save()
    check = builder.change_status(survey=survey, status=Survey.Status.OPEN, actor=manager)

    assert "The survey has no questions yet." in errors_of(empty)[""]
    assert errors_of(no_finnish_intro)[""] == ["The survey's introduction has no Finnish version."]
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert any("Swedish" in w and "The survey's title" in w for w in check.warnings)
    assert any("English" in w and "Question q1" in w for w in check.warnings)


def test_only_allowed_status_changes_happen(manager):
    survey = standard_survey(status=Survey.Status.DRAFT)

    with pytest.raises(BuilderError) as excinfo:
        builder.change_status(survey=survey, status=Survey.Status.CLOSED, actor=manager)
    builder.change_status(survey=survey, status=Survey.Status.OPEN, actor=manager)
    builder.change_status(survey=survey, status=Survey.Status.CLOSED, actor=manager)

    assert "cannot become" in errors_of(excinfo)[""][0]
    assert AuditEvent.objects.filter(
        object_id=str(survey.pk), action=AuditEvent.Action.UPDATE, details__to="closed"
    ).exists()


def test_a_staff_survey_is_anonymous_and_asks_no_background(manager):
    survey = SurveyFactory.build(kind=Survey.Kind.STAFF, identified=True, asks_background=True)
    survey.organisation.save()
    survey.organisation_id = survey.organisation.pk

    builder.save_survey(survey=survey, actor=manager)

    survey.refresh_from_db()
    assert (survey.identified, survey.asks_background) == (False, False)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(survey.pk)
    ).exists()


def touchpoint(survey: Survey, kind: str, **fields) -> Touchpoint:
    return Touchpoint(survey=survey, kind=kind, **fields)


def test_touchpoints_know_what_each_kind_needs(manager):
    survey = standard_survey()
    office = ServiceChannelFactory.create(channel_type=ServiceChannel.Type.SERVICE_LOCATION)
    phone = ServiceChannelFactory.create(channel_type=ServiceChannel.Type.PHONE)

    problems = {}
    for name, made in {
        "kiosk without location": touchpoint(survey, Touchpoint.Kind.KIOSK),
        "location that is a phone line": touchpoint(
            survey, Touchpoint.Kind.LOCATION, location=phone
        ),
        "service page without service": touchpoint(survey, Touchpoint.Kind.SERVICE_PAGE),
    }.items():
        with pytest.raises(BuilderError) as excinfo:
            builder.add_touchpoint(touchpoint=made, actor=manager)
        problems[name] = excinfo.value.errors
    kiosk = builder.add_touchpoint(
        touchpoint=touchpoint(survey, Touchpoint.Kind.KIOSK, location=office), actor=manager
    )
    page = builder.add_touchpoint(
        touchpoint=touchpoint(survey, Touchpoint.Kind.SERVICE_PAGE, service=ServiceFactory()),
        actor=manager,
    )

    assert set(problems["kiosk without location"]) == {"location"}
    assert set(problems["location that is a phone line"]) == {"location"}
    assert set(problems["service page without service"]) == {"service"}
    assert kiosk.code
    assert kiosk.code != page.code
    assert (kiosk.channel, page.channel) == ("walk_in", "web")


def test_a_staff_survey_has_no_public_touchpoints(manager):
    survey = SurveyFactory.create(kind=Survey.Kind.STAFF)

    with pytest.raises(BuilderError) as excinfo:
        builder.add_touchpoint(
            touchpoint=touchpoint(survey, Touchpoint.Kind.OPEN_LINK), actor=manager
        )

    assert "no public touchpoints" in errors_of(excinfo)["kind"][0]


@pytest.mark.parametrize(
    ("kind", "measure", "allowed"),
    [
        (Question.Kind.RATING, Question.Measure.SATISFACTION, True),
        (Question.Kind.SMILEY, Question.Measure.SATISFACTION, True),
        (Question.Kind.NPS, Question.Measure.RECOMMENDATION, True),
        (Question.Kind.NPS, Question.Measure.SATISFACTION, False),
        (Question.Kind.RATING, Question.Measure.RECOMMENDATION, False),
        (Question.Kind.FREE_TEXT, Question.Measure.EFFORT, False),
    ],
)
def test_a_measure_fits_its_question_kind(manager, kind, measure, allowed):
    """Insights average satisfaction on 1–5 and NPS on 0–10: a mismatch would mix scales."""
    survey = standard_survey()
    question = new_question(survey, code="measured", kind=kind, measure=measure)

    if allowed:
        builder.save_question(question=question, choices=[], actor=manager)
        assert survey.questions.get(code="measured").measure == measure
    else:
        with pytest.raises(BuilderError) as excinfo:
            builder.save_question(question=question, choices=[], actor=manager)
        assert "cannot measure" in errors_of(excinfo)["measure"][0]
