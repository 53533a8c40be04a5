"""The public feedback pages: pick a service, write the feedback, follow it, add to it.

Thin views: parse the form, call luukku.intake.feedback, render. No JavaScript: choosing the
service is a GET search step, and the duplicate offer is a second round of the same form.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from luukku.catalogue.models import Service
from luukku.catalogue.search import search_services
from luukku.core.audit import client_ip
from luukku.core.masking import mask_personal_data

from . import feedback
from .forms import DONT_KNOW, AddToRequestForm, FeedbackForm, ServiceSearchForm
from .models import ServiceRequest

MAX_SEARCH_HITS = 10


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: find the service the feedback is about, or go on without one."""
    form = ServiceSearchForm(request.GET or None)
    services: list[Service] = []
    searched = False
    if form.is_valid() and form.cleaned_data["q"].strip():
        searched = True
        result = search_services(
            form.cleaned_data["q"], get_language() or "fi", limit=MAX_SEARCH_HITS * 3
        )
        services = [hit.service for hit in result.hits if hit.service.accepts_feedback][
            :MAX_SEARCH_HITS
        ]
    return render(
        request,
        "intake/start.html",
        {"form": form, "services": services, "searched": searched, "dont_know": DONT_KNOW},
    )


@require_http_methods(["GET", "POST"])
def write(request: HttpRequest) -> HttpResponse:
    """Step 2: the feedback itself; a likely duplicate is offered before anything is stored."""
    duplicates: list[ServiceRequest] = []
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES)
        if form.is_spam:
            # Looks sent to a bot like it would to a person; nothing is stored.
            messages.error(request, _("Your feedback could not be sent."))
            return render(request, "intake/write.html", _write_context(form, []), status=400)
        if feedback.rate_limited(client_ip(request) or "unknown"):
            form.add_error(None, _("Too many submissions from your network. Try again later."))
            return render(request, "intake/write.html", _write_context(form, []), status=429)
        if form.is_valid():
            data = form.cleaned_data
            if not data["confirm_new"]:
                duplicates = feedback.likely_duplicates(
                    data["service"], data["latitude"], data["longitude"]
                )
            if not duplicates:
                result = feedback.submit_from_form(_submission(form, request))
                messages.success(
                    request,
                    _("Thank you. Your feedback was received. Your tracking code is %(code)s.")
                    % {"code": result.request.service_request_id},
                )
                return redirect("intake_public:status", result.request.service_request_id)
            # Offered once: a second send of the same form is a deliberate new report.
            data_copy = request.POST.copy()
            data_copy["confirm_new"] = "True"
            form.data = data_copy
        else:
            status = 400
    else:
        slug = request.GET.get("service", "")
        form = FeedbackForm(initial={"service": slug})
    return render(request, "intake/write.html", _write_context(form, duplicates), status=status)


def _write_context(form: FeedbackForm, duplicates: list[ServiceRequest]) -> dict[str, object]:
    slug = form["service"].value() or ""
    service = (
        Service.objects.filter(slug=slug, accepts_feedback=True).first()
        if slug and slug != DONT_KNOW
        else None
    )
    return {"form": form, "service": service, "duplicates": duplicates}


def _submission(form: FeedbackForm, request: HttpRequest) -> feedback.FormSubmission:
    data = form.cleaned_data
    return feedback.FormSubmission(
        kind=data["kind"],
        service=data["service"],
        description=data["description"],
        address=data["address"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        images=form.processed_images,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        consent=data["consent"],
        idempotency_key=data["token"],
        language=get_language() or "fi",
    )


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, service_request_id: str) -> HttpResponse:
    """The public status page: history and public reply, never contact details."""
    service_request = get_object_or_404(
        ServiceRequest.objects.select_related("service", "merged_into").prefetch_related("events"),
        service_request_id=service_request_id,
    )
    form = AddToRequestForm(request.POST or None)
    if request.method == "POST" and service_request.merged_into is None:
        if feedback.rate_limited(client_ip(request) or "unknown", scope="add"):
            form.add_error(None, _("Too many submissions from your network. Try again later."))
        elif form.is_valid():
            reopened = service_request.status == ServiceRequest.Status.CLOSED
            feedback.add_to_request(request=service_request, text=form.cleaned_data["text"])
            messages.success(
                request,
                _("Thank you. The matter was opened again and its handler was told.")
                if reopened
                else _("Thank you. Your addition was sent to the handler."),
            )
            return redirect("intake_public:status", service_request.service_request_id)
    shown = service_request.moderation != ServiceRequest.Moderation.HIDDEN
    return render(
        request,
        "intake/status.html",
        {
            "item": service_request,
            "description": mask_personal_data(service_request.description) if shown else "",
            "reply": mask_personal_data(service_request.status_notes),
            # Staff write the notes, but a pasted phone number must not reach the public page.
            "events": [
                (event, mask_personal_data(event.note)) for event in service_request.events.all()
            ],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """Look a request up by its tracking code."""
    code = request.GET.get("code", "").strip().upper()
    if code and ServiceRequest.objects.filter(service_request_id=code).exists():
        return redirect("intake_public:status", code)
    return render(request, "intake/find.html", {"code": code, "not_found": bool(code)})
