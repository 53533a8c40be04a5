"""Accessibility statement, the public feedback route and the staff inbox (Act 306/2019)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from luukku.accounts.permissions import require_org_permission
from luukku.accounts.roles import HANDLE_ACCESSIBILITY_FEEDBACK
from luukku.core.audit import record_read

from . import selectors, services
from .forms import AnswerForm, FeedbackForm, page_reference

# When the statement was prepared and last reviewed; update both whenever it is re-assessed.
STATEMENT_PREPARED = date(2026, 11, 25)
STATEMENT_REVIEWED = date(2026, 11, 25)
SESSION_RECEIPT = "luukku_accessibility_receipt"


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    language = get_language() or "fi"
    return render(
        request,
        "accessibility/statement.html",
        {
            "body_template": f"accessibility/statement_{language}.html",
            "prepared": STATEMENT_PREPARED,
            "reviewed": STATEMENT_REVIEWED,
            "answer_days": services.ANSWER_DEADLINE.days,
        },
    )


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            item = services.submit_feedback(**form.cleaned_data, language=get_language() or "fi")
            request.session[SESSION_RECEIPT] = item.reference
            return redirect("accessibility:receipt")
    else:
        own_path = reverse("accessibility:feedback")
        page = page_reference(
            request.GET.get("next"), host=request.get_host(), exclude_prefix=own_path
        ) or page_reference(
            request.headers.get("referer"), host=request.get_host(), exclude_prefix=own_path
        )
        form = FeedbackForm(initial={"page_url": page})
    return render(
        request,
        "accessibility/feedback.html",
        {
            "form": form,
            "answer_days": services.ANSWER_DEADLINE.days,
        },
    )


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    # The reference comes from the sender's own session: nobody can look up others' receipts.
    reference = request.session.get(SESSION_RECEIPT)
    if not reference:
        return redirect("accessibility:feedback")
    return render(
        request,
        "accessibility/receipt.html",
        {
            "reference": reference,
            "answer_days": services.ANSWER_DEADLINE.days,
        },
    )


@require_GET
@require_org_permission(HANDLE_ACCESSIBILITY_FEEDBACK)
def inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accessibility/inbox.html",
        {
            "open_items": selectors.open_items(now=timezone.now()),
            "answered": selectors.answered_items(),
            "answer_days": services.ANSWER_DEADLINE.days,
        },
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_ACCESSIBILITY_FEEDBACK)
def item(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_by_pk(pk)
    if feedback is None:
        raise Http404
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            services.answer_feedback(
                feedback=feedback,
                answer=form.cleaned_data["answer"],
                answered_by=request.user,
                request=request,
            )
            messages.success(
                request,
                _("The answer to %(reference)s was saved.") % {"reference": feedback.reference},
            )
            return HttpResponseRedirect(reverse("accessibility:inbox"))
    else:
        form = AnswerForm(initial={"answer": feedback.answer})
    if feedback.has_contact_details:
        record_read(
            actor=request.user,
            target=feedback,
            request=request,
            purpose="answering accessibility feedback",
        )
    return render(
        request,
        "accessibility/item.html",
        {
            "feedback": feedback,
            "form": form,
            "days_left": selectors.days_left(feedback, now=timezone.now()),
        },
    )
