"""Staff pages of the catalogue: the alliance view and its CSV export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luukku.accounts.permissions import require_org_permission
from luukku.accounts.roles import VIEW_ALLIANCE
from luukku.core import audit
from luukku.core.models import AuditEvent

from . import alliance
from .models import ServiceClass

GROUPS_PER_PAGE = 50


class _ServiceClassChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.label()}"


class _MunicipalityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class AllianceFilterForm(forms.Form):
    service_class = _ServiceClassChoice(
        queryset=ServiceClass.objects.none(),
        to_field_name="code",
        required=False,
        label=_("Service class"),
        empty_label=_("All service classes"),
    )
    municipality = _MunicipalityChoice(
        queryset=alliance.municipalities(),
        to_field_name="code",
        required=False,
        label=_("Municipality"),
        empty_label=_("All municipalities"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_class"].queryset = alliance.service_classes_with_producers()  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; call after `is_valid()`."""
        return {
            "service_class": self.cleaned_data.get("service_class"),
            "municipality": self.cleaned_data.get("municipality"),
        }

    def audit_details(self) -> dict[str, str]:
        return {name: getattr(value, "code", "") for name, value in self.filters().items()}


@require_org_permission(VIEW_ALLIANCE)
def alliance_view(request: HttpRequest) -> HttpResponse:
    form = AllianceFilterForm(request.GET)
    groups = alliance.alliance_groups(**form.filters()) if form.is_valid() else []
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/staff/alliance.html",
        {"form": form, "page": page, "group_count": len(groups)},
        status=200 if form.is_valid() else 400,
    )


@require_org_permission(VIEW_ALLIANCE)
def alliance_csv_view(request: HttpRequest) -> HttpResponse:
    form = AllianceFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            _("Unknown service class or municipality."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    groups = alliance.alliance_groups(**form.filters())
    body = alliance.alliance_csv(groups, get_language() or "fi")
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        request=request,
        purpose="alliance view CSV",
        details={
            **form.audit_details(),
            "rows": sum(len(group.entries) for group in groups),
        },
    )
    filename = f"luukku-alliance-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
