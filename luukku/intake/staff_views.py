"""Staff pages for feedback: merging a duplicate into the request that stays."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from luukku.accounts.permissions import require_org_permission
from luukku.accounts.roles import HANDLE_FEEDBACK
from luukku.core.masking import mask_personal_data

from . import feedback
from .forms import MergeForm
from .models import ServiceRequest
from .services import SubmissionError


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_FEEDBACK)
def merge(request: HttpRequest, service_request_id: str) -> HttpResponse:
    duplicate = get_object_or_404(
        ServiceRequest.objects.select_related("service", "agency_responsible", "merged_into"),
        service_request_id=service_request_id,
    )
    if not feedback.may_handle(request.user, duplicate):
        raise PermissionDenied
    form = MergeForm(request.POST or None, duplicate=duplicate)
    if request.method == "POST" and duplicate.merged_into is None and form.is_valid():
        survivor = form.cleaned_data["into"]
        try:
            feedback.merge_requests(
                duplicate=duplicate, into=survivor, actor=request.user, http_request=request
            )
        except SubmissionError as error:
            form.add_error("into", error.message)
        else:
            duplicate.refresh_from_db()
            messages.success(
                request,
                _("%(duplicate)s was merged into %(survivor)s.")
                % {
                    "duplicate": duplicate.service_request_id,
                    "survivor": duplicate.merged_into.service_request_id
                    if duplicate.merged_into
                    else survivor.service_request_id,
                },
            )
            return redirect("intake_staff:merge", duplicate.service_request_id)
    candidates = [
        item
        for item in feedback.likely_duplicates(duplicate.service, duplicate.lat, duplicate.long)
        if item.pk != duplicate.pk
    ]
    return render(
        request,
        "intake/staff/merge.html",
        {
            "item": duplicate,
            "description": mask_personal_data(duplicate.description),
            "candidates": candidates,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
