"""The answer pages: an invitation's link, a QR code or link at a touchpoint, a kiosk, and the
staff surveys a logged-in employee may answer.

Thin views: find the survey and where it was reached, build the form, hand the values to
`answering.save_response`, and show its messages on the fields. Everything works without
JavaScript; small scripts only hide conditional questions live and reset the kiosk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from luukku.accounts.models import User
from luukku.core.audit import client_ip
from luukku.core.models import ConsentText
from luukku.organisations.models import Organisation

from . import answering
from .answering import SurveyAnswerError, SurveyUnavailable
from .forms_public import AnswerForm, condition_hints, initial_for
from .models import Invitation, Response, Survey, Touchpoint

RESUME_COOKIE_PREFIX = "luukku_survey_"
RESUME_COOKIE_AGE = 30 * 24 * 60 * 60
KIOSK_RESET_SECONDS = 10
SAVE_FOR_LATER = "save"


@dataclass
class AnswerPage:
    """Where and how a survey was reached: decides the form, the saving and the way back."""

    survey: Survey
    url: str
    touchpoint: Touchpoint | None = None
    invitation: Invitation | None = None
    units: list[Organisation] = field(default_factory=list)
    staff_user: User | None = None

    @property
    def kiosk(self) -> bool:
        return self.touchpoint is not None and self.touchpoint.kind == Touchpoint.Kind.KIOSK

    @property
    def staff(self) -> bool:
        return self.survey.kind == Survey.Kind.STAFF

    @property
    def resumable(self) -> bool:
        """Saving half-way: invitations (the link itself resumes) and open links (a cookie)."""
        return not (self.kiosk or self.staff)

    @property
    def cookie_name(self) -> str:
        return f"{RESUME_COOKIE_PREFIX}{self.survey.public_id.hex}"


def _language() -> str:
    return (get_language() or "fi")[:2]


def _unavailable(
    request: HttpRequest, survey: Survey | None, error: SurveyAnswerError
) -> HttpResponse:
    status = 403 if getattr(error, "reason", "") == SurveyUnavailable.NOT_ELIGIBLE else 410
    return render(
        request,
        "surveys/public/unavailable.html",
        {"survey": survey, "messages_shown": [m for ms in error.errors.values() for m in ms]},
        status=status,
    )


def _answer(request: HttpRequest, page: AnswerPage) -> HttpResponse:
    """GET: the form (filled with a saved answer); POST: save, then thank or show the errors."""
    survey = page.survey
    try:
        answering.check_answerable(survey, page.invitation)
    except SurveyUnavailable as error:
        return _unavailable(request, survey, error)
    language = _language()
    questions = answering.asked_questions(answering.questions_of(survey), page.touchpoint)
    resume_token = request.COOKIES.get(page.cookie_name, "") if page.resumable else ""
    earlier: Response | None = None
    if page.invitation is not None:
        earlier = answering.response_for_invitation(page.invitation)
    elif resume_token:
        earlier = answering.resumable_response(survey, resume_token)
    consent = (
        ConsentText.current(ConsentText.Purpose.SURVEY_IDENTIFIED)
        if survey.identified and page.invitation is not None
        else None
    )
    values, other = answering.given_values(earlier)
    initial = initial_for(values, other)
    if earlier is not None:
        initial.update(
            {f"bg-{name}": getattr(earlier, name) for name in ("age_band", "sex", "customer_type")}
        )
        if earlier.municipality_id is not None:
            initial["bg-municipality"] = earlier.municipality.code if earlier.municipality else ""
        initial["consent"] = earlier.consent_id is not None
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        questions=questions,
        language=language,
        background=survey.asks_background and not page.kiosk and not page.staff,
        consent_text=consent.text(language) if consent is not None else "",
        units=page.units,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = answering.submission_wait(client_ip(request) or "-")
        if wait is not None:
            form.add_error(None, _("Too many answers from your network. Try again later."))
            return _render_form(request, page, form, questions, status=429, earlier=earlier)
        partial = page.resumable and SAVE_FOR_LATER in request.POST
        try:
            saved = answering.save_response(
                survey,
                form.values(),
                other=form.other(),
                background=form.background(),
                touchpoint=page.touchpoint,
                invitation=page.invitation,
                status=Response.Status.PARTIAL if partial else Response.Status.COMPLETE,
                language=language,
                idempotency_key=form.cleaned_data.get("nonce") or "",
                resume_token=resume_token,
                consent=bool(form.cleaned_data.get("consent")),
                staff_user=page.staff_user,
                staff_unit=form.cleaned_data.get("staff_unit"),
            )
        except SurveyUnavailable as error:
            return _unavailable(request, survey, error)
        except SurveyAnswerError as error:
            form.add_service_errors(error.errors)
            status = 400
        else:
            return _after_saving(request, page, saved, partial=partial)
    return _render_form(request, page, form, questions, status=status, earlier=earlier)


def _render_form(
    request: HttpRequest,
    page: AnswerPage,
    form: AnswerForm,
    questions: list[Any],
    *,
    status: int,
    earlier: Response | None,
) -> HttpResponse:
    language = _language()
    context = {
        "survey": page.survey,
        "page": page,
        "form": form,
        "title": page.survey.title(language),
        "intro": page.survey.intro(language),
        "questions": form.rows(condition_hints(questions, language)),
        "background": form.background_fields(),
        # Saving half-way, until the answers have once been sent.
        "can_save": page.resumable
        and (earlier is None or earlier.status == Response.Status.PARTIAL),
    }
    template = "surveys/public/kiosk.html" if page.kiosk else "surveys/public/answer.html"
    return render(request, template, context, status=status)


def _after_saving(
    request: HttpRequest, page: AnswerPage, saved: answering.SavedResponse, *, partial: bool
) -> HttpResponse:
    survey = page.survey
    if partial:
        messages.success(
            request,
            _("Your answers were saved. Open the same link to continue.")
            if page.invitation is not None
            else _("Your answers were saved on this device. Come back with the same link."),
        )
        response = redirect(page.url)
        if saved.resume_token:
            response.set_cookie(
                page.cookie_name,
                saved.resume_token,
                max_age=RESUME_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
    if page.kiosk and page.touchpoint is not None:
        return redirect("surveys:kiosk_thanks", page.touchpoint.code)
    response = redirect("surveys:thanks", survey.public_id)
    if page.resumable:
        response.delete_cookie(page.cookie_name, samesite="Lax")
    return response


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link sent after a case closed: answers once, a resend updates."""
    found = answering.invitation_for_token(token)
    if found is None:
        raise Http404
    url = reverse("surveys:invitation", args=[token])
    return _answer(
        request,
        AnswerPage(survey=found.survey, url=url, touchpoint=found.touchpoint, invitation=found),
    )


@require_http_methods(["GET", "POST"])
def touchpoint(request: HttpRequest, code: str) -> HttpResponse:
    """A QR code at a service location, the service page's link, or an open link."""
    found = answering.touchpoint_for_code(code)
    if found is None or found.survey.kind != Survey.Kind.CUSTOMER:
        raise Http404
    if found.kind == Touchpoint.Kind.KIOSK:
        return redirect("surveys:kiosk", found.code)
    if found.kind not in answering.LINK_TOUCHPOINTS or not found.active:
        raise Http404
    url = reverse("surveys:touchpoint", args=[code])
    return _answer(request, AnswerPage(survey=found.survey, url=url, touchpoint=found))


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """The kiosk at a service location: big buttons, no login, every send a new answer."""
    found = _kiosk_touchpoint(code)
    url = reverse("surveys:kiosk", args=[code])
    return _answer(request, AnswerPage(survey=found.survey, url=url, touchpoint=found))


@require_GET
def kiosk_thanks(request: HttpRequest, code: str) -> HttpResponse:
    """Thanks, then back to an empty form (a script, and a no-script refresh)."""
    found = _kiosk_touchpoint(code)
    return render(
        request,
        "surveys/public/kiosk_thanks.html",
        {
            "survey": found.survey,
            "thanks": found.survey.thanks(_language()),
            "kiosk_url": reverse("surveys:kiosk", args=[code]),
            "reset_seconds": KIOSK_RESET_SECONDS,
        },
    )


def _kiosk_touchpoint(code: str) -> Touchpoint:
    found = answering.touchpoint_for_code(code)
    if found is None or found.kind != Touchpoint.Kind.KIOSK or not found.active:
        raise Http404
    return found


@require_GET
def thanks(request: HttpRequest, public_id: str) -> HttpResponse:
    survey = get_object_or_404(Survey, public_id=public_id)
    return render(
        request,
        "surveys/public/thanks.html",
        {"survey": survey, "thanks": survey.thanks(_language())},
    )


@login_required
@require_GET
def staff_surveys(request: HttpRequest) -> HttpResponse:
    """The staff surveys of the user's organisations, and which they have answered."""
    user = cast(User, request.user)
    return render(
        request,
        "surveys/public/staff_list.html",
        {"surveys": answering.staff_surveys_for(user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_answer(request: HttpRequest, public_id: str) -> HttpResponse:
    """A staff survey: eligibility checked with the login, the answer stored without it."""
    survey = get_object_or_404(
        Survey.objects.select_related("organisation"),
        public_id=public_id,
        kind=Survey.Kind.STAFF,
    )
    user = cast(User, request.user)
    try:
        units = answering.eligible_units(survey, user)
    except SurveyUnavailable as error:
        return _unavailable(request, survey, error)
    if answering.has_participated(survey, user):
        return render(request, "surveys/public/staff_answered.html", {"survey": survey}, status=200)
    url = reverse("surveys:staff_answer", args=[survey.public_id])
    return _answer(request, AnswerPage(survey=survey, url=url, units=units, staff_user=user))
