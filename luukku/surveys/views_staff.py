"""Staff pages for surveys: the list, the builder, touchpoints with QR codes, results, exports.

Thin views: check the permission in the survey's organisation, call one builder, results or
exports function, render or redirect (POST-redirect-GET). A survey of another organisation
answers 403. Managers (MANAGE_SURVEYS) build; analysts and unit leads (VIEW_SURVEY_RESULTS)
see the overview, results and exports.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luukku.accounts.permissions import has_permission, require_org_permission
from luukku.accounts.roles import MANAGE_SURVEYS, VIEW_SURVEY_RESULTS

from . import builder, exports, results
from .builder import BuilderError
from .forms_staff import (
    QuestionForm,
    ResultsFilterForm,
    SurveyForm,
    TouchpointForm,
    choice_formset,
)
from .models import Question, Response, Survey, Touchpoint
from .qr import qr_svg


def _survey(request: HttpRequest, public_id: UUID, permission: str) -> Survey:
    survey = get_object_or_404(
        Survey.objects.select_related("organisation", "service"), public_id=public_id
    )
    if not builder.may_access(request.user, survey, permission):
        raise PermissionDenied
    return survey


def _show_errors(form: forms.BaseForm, error: BuilderError) -> None:
    """The builder's messages on their fields, marked for screen readers as the form's own
    errors are (AccessibleFormMixin does that only while cleaning)."""
    for name, problems in error.errors.items():
        field_name = name if name in form.fields else None
        for problem in problems:
            form.add_error(field_name, problem)
        if field_name is not None:
            attrs = form.fields[field_name].widget.attrs
            error_id = f"{form[field_name].auto_id}_error"
            described = attrs.get("aria-describedby", "")
            attrs["aria-invalid"] = "true"
            if error_id not in described:
                attrs["aria-describedby"] = f"{error_id} {described}".strip()


def public_url(request: HttpRequest, touchpoint: Touchpoint) -> str | None:
    """The absolute address a touchpoint's respondents open, in the default language.

    A case-closed touchpoint has none: each invitation carries its own one-time link.
    """
    if touchpoint.kind == Touchpoint.Kind.CASE_CLOSED:
        return None
    name = "surveys:kiosk" if touchpoint.kind == Touchpoint.Kind.KIOSK else "surveys:touchpoint"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse(name, args=[touchpoint.code])
    except NoReverseMatch:
        return None
    return request.build_absolute_uri(path)


# -- list and settings --------------------------------------------------------------------------


@require_http_methods(["GET"])
@require_org_permission(VIEW_SURVEY_RESULTS)
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = builder.surveys_for(request.user, VIEW_SURVEY_RESULTS).annotate(
        complete=Count("responses", filter=Q(responses__status=Response.Status.COMPLETE))
    )
    return render(
        request,
        "surveys/staff/list.html",
        {"surveys": surveys, "may_create": has_permission(request.user, MANAGE_SURVEYS)},
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_SURVEYS)
def create_survey(request: HttpRequest) -> HttpResponse:
    organisations = builder.organisations_for(request.user, MANAGE_SURVEYS)
    form = SurveyForm(request.POST or None, organisations=organisations, locked_kind=False)
    if request.method == "POST" and form.is_valid():
        try:
            survey = builder.save_survey(
                survey=form.save(commit=False),
                actor=request.user,
                request=request,
                changed=form.changed_data,
            )
        except BuilderError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The survey was created. Add its questions next."))
            return redirect("surveys_staff:survey", survey.public_id)
    return render(request, "surveys/staff/survey_form.html", {"form": form, "survey": None})


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_SURVEYS)
def edit_survey(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _survey(request, public_id, MANAGE_SURVEYS)
    form = SurveyForm(
        request.POST or None,
        instance=survey,
        organisations=builder.organisations_for(request.user, MANAGE_SURVEYS),
        locked_kind=builder.has_answers(survey),
    )
    if request.method == "POST" and form.is_valid():
        try:
            builder.save_survey(
                survey=form.save(commit=False),
                actor=request.user,
                request=request,
                changed=form.changed_data,
            )
        except BuilderError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The survey settings were saved."))
            return redirect("surveys_staff:survey", survey.public_id)
    return render(request, "surveys/staff/survey_form.html", {"form": form, "survey": survey})


@require_http_methods(["GET"])
@require_org_permission(VIEW_SURVEY_RESULTS)
def survey_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _survey(request, public_id, VIEW_SURVEY_RESULTS)
    questions = list(
        survey.questions.select_related("show_if_question").prefetch_related("choices")
    )
    for question in questions:
        question.condition_text = builder.condition_value_text(question)  # type: ignore[attr-defined]
    touchpoints = [
        (touchpoint, public_url(request, touchpoint))
        for touchpoint in survey.touchpoints.select_related(
            "service", "location", "organisation"
        ).prefetch_related("service__texts", "location__texts")
    ]
    return render(
        request,
        "surveys/staff/survey.html",
        {
            "survey": survey,
            "questions": questions,
            "touchpoints": touchpoints,
            "may_manage": builder.may_access(request.user, survey, MANAGE_SURVEYS),
            "locked": builder.has_answers(survey),
            "check": builder.publication_check(survey),
            "next_statuses": [
                (status, Survey.Status(status).label)
                for status in sorted(builder.TRANSITIONS[survey.status])
            ],
        },
    )


@require_POST
@require_org_permission(MANAGE_SURVEYS)
def change_status(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _survey(request, public_id, MANAGE_SURVEYS)
    status = request.POST.get("status", "")
    try:
        check = builder.change_status(
            survey=survey, status=status, actor=request.user, request=request
        )
    except BuilderError as error:
        for problem in error.errors[""]:
            messages.error(request, problem)
    else:
        messages.success(
            request,
            _("The survey is now %(status)s.") % {"status": survey.get_status_display()},
        )
        for warning in check.warnings:
            messages.warning(request, warning)
    return redirect("surveys_staff:survey", survey.public_id)


# -- questions ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_SURVEYS)
def question_form(
    request: HttpRequest, public_id: UUID, question_id: int | None = None
) -> HttpResponse:
    survey = _survey(request, public_id, MANAGE_SURVEYS)
    if question_id is None:
        question = Question(survey=survey)
        earlier = survey.questions.all()
        initial: dict[str, Any] = {"code": builder.next_question_code(survey)}
    else:
        question = get_object_or_404(Question, pk=question_id, survey=survey)
        earlier = survey.questions.filter(
            Q(position__lt=question.position) | Q(position=question.position, pk__lt=question.pk)
        )
        initial = {}
    locked = question.pk is not None and builder.has_answers(survey)
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question, earlier=earlier, locked=locked, initial=initial)
    choices = choice_formset(question, data)
    if data is not None and form.is_valid() and choices.is_valid():
        try:
            builder.save_question(
                question=form.save(commit=False),
                choices=[c for c in (row.choice() for row in choices) if c is not None],
                condition_value=form.cleaned_data["condition_value"],
                actor=request.user,
                request=request,
            )
        except BuilderError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("surveys_staff:survey", survey.public_id)
    return render(
        request,
        "surveys/staff/question_form.html",
        {
            "survey": survey,
            "question": question,
            "form": form,
            "choices": choices,
            "locked": locked,
            "choice_errors": [error for row in choices for error in row.non_field_errors()]
            + list(choices.non_form_errors()),
        },
    )


@require_POST
@require_org_permission(MANAGE_SURVEYS)
def delete_question(request: HttpRequest, public_id: UUID, question_id: int) -> HttpResponse:
    survey = _survey(request, public_id, MANAGE_SURVEYS)
    question = get_object_or_404(Question, pk=question_id, survey=survey)
    try:
        builder.delete_question(question=question, actor=request.user, request=request)
    except BuilderError as error:
        for problem in error.errors[""]:
            messages.error(request, problem)
    else:
        messages.success(request, _("The question was removed."))
    return redirect("surveys_staff:survey", survey.public_id)


@require_POST
@require_org_permission(MANAGE_SURVEYS)
def move_question(request: HttpRequest, public_id: UUID, question_id: int) -> HttpResponse:
    survey = _survey(request, public_id, MANAGE_SURVEYS)
    question = get_object_or_404(Question, pk=question_id, survey=survey)
    try:
        builder.move_question(
            question=question,
            up=request.POST.get("direction") == "up",
            actor=request.user,
            request=request,
        )
    except BuilderError as error:
        for problem in error.errors[""]:
            messages.error(request, problem)
    return redirect(reverse("surveys_staff:survey", args=[survey.public_id]) + "#questions")


# -- touchpoints --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_SURVEYS)
def add_touchpoint(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _survey(request, public_id, MANAGE_SURVEYS)
    form = TouchpointForm(
        request.POST or None,
        instance=Touchpoint(survey=survey),
        organisations=builder.organisations_for(request.user, MANAGE_SURVEYS),
    )
    if request.method == "POST" and form.is_valid():
        try:
            builder.add_touchpoint(
                touchpoint=form.save(commit=False), actor=request.user, request=request
            )
        except BuilderError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The touchpoint was added."))
            return redirect(
                reverse("surveys_staff:survey", args=[survey.public_id]) + "#touchpoints"
            )
    return render(request, "surveys/staff/touchpoint_form.html", {"survey": survey, "form": form})


@require_POST
@require_org_permission(MANAGE_SURVEYS)
def set_touchpoint_active(
    request: HttpRequest, public_id: UUID, touchpoint_id: int
) -> HttpResponse:
    survey = _survey(request, public_id, MANAGE_SURVEYS)
    touchpoint = get_object_or_404(Touchpoint, pk=touchpoint_id, survey=survey)
    active = request.POST.get("active") == "1"
    builder.set_touchpoint_active(
        touchpoint=touchpoint, active=active, actor=request.user, request=request
    )
    messages.success(
        request,
        _("The touchpoint takes answers again.") if active else _("The touchpoint was closed."),
    )
    return redirect(reverse("surveys_staff:survey", args=[survey.public_id]) + "#touchpoints")


@require_http_methods(["GET"])
@require_org_permission(MANAGE_SURVEYS)
def qr_page(request: HttpRequest, code: str) -> HttpResponse:
    touchpoint = get_object_or_404(
        Touchpoint.objects.select_related("survey__organisation", "location"), code=code
    )
    survey = touchpoint.survey
    if not builder.may_access(request.user, survey, MANAGE_SURVEYS):
        raise PermissionDenied
    url = public_url(request, touchpoint)
    return render(
        request,
        "surveys/staff/qr.html",
        {
            "survey": survey,
            "touchpoint": touchpoint,
            "url": url,
            "qr": qr_svg(url, title=_("QR code for the survey %(title)s") % {"title": survey})
            if url
            else None,
        },
    )


# -- results and exports ------------------------------------------------------------------------


def _filters(form: ResultsFilterForm) -> results.Filters:
    if not form.is_valid():
        return results.Filters()
    data = form.cleaned_data
    return results.Filters(
        touchpoint_id=data["touchpoint"].pk if data.get("touchpoint") else None,
        service_id=data["service"].pk if data.get("service") else None,
        channel=data.get("channel") or "",
        since=data.get("since"),
        until=data.get("until"),
    )


@require_http_methods(["GET"])
@require_org_permission(VIEW_SURVEY_RESULTS)
def results_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _survey(request, public_id, VIEW_SURVEY_RESULTS)
    staff = survey.kind == Survey.Kind.STAFF
    form = ResultsFilterForm(request.GET or None, survey=survey)
    filters = results.Filters() if staff else _filters(form)
    query = request.GET.urlencode() if not staff and form.is_bound and form.is_valid() else ""
    return render(
        request,
        "surveys/staff/results.html",
        {
            "survey": survey,
            "form": None if staff else form,
            "results": results.survey_results(survey, filters),
            "min_group": results.MIN_GROUP_SIZE,
            "query": query,
        },
    )


@require_http_methods(["GET"])
@require_org_permission(VIEW_SURVEY_RESULTS)
def export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _survey(request, public_id, VIEW_SURVEY_RESULTS)
    form = ResultsFilterForm(request.GET, survey=survey)
    try:
        made = exports.export_survey(
            survey=survey,
            file_format=request.GET.get("format", "csv"),
            layout=request.GET.get("layout", "wide"),
            filters=_filters(form),
            actor=request.user,
            request=request,
        )
    except exports.ExportRefused as refused:
        messages.error(request, str(refused))
        return redirect("surveys_staff:results", survey.public_id)
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response
