"""Reads for the panel pages, with the staff scope applied in one place."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from luukku.accounts.permissions import has_permission, is_region_admin, organisation_scope
from luukku.accounts.roles import MANAGE_PANELS
from luukku.catalogue.models import Service

from .models import Panel, PanelSession, Recommendation, SelectionMember, Volunteer


def open_panels() -> QuerySet[Panel]:
    """Panels taking sign-ups today, soonest closing first."""
    return Panel.objects.filter(
        status=Panel.Status.RECRUITING, signup_until__gte=timezone.localdate()
    ).order_by("signup_until", "pk")


def public_panel(pk: int) -> Panel:
    """A panel the public may see: any but those closed (their pages say what was answered)."""
    panel = Panel.objects.prefetch_related("municipalities").filter(pk=pk).first()
    if panel is None:
        raise Http404
    return panel


def published_recommendations() -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(published_at__isnull=False)
        .select_related("session__panel__organisation")
        .prefetch_related(Prefetch("services", queryset=Service.objects.prefetch_related("texts")))
        .order_by("-session__starts_at", "pk")
    )


def staff_panels(user: Any) -> QuerySet[Panel]:
    """Panels of the organisations where `user` manages panels (all for the region admin)."""
    panels = Panel.objects.select_related("organisation").annotate(
        volunteer_count=Count("volunteers", distinct=True),
        member_count=Count(
            "volunteers", filter=Q(volunteers__status=Volunteer.Status.SELECTED), distinct=True
        ),
    )
    scope = organisation_scope(user, MANAGE_PANELS)
    if scope is not None:
        panels = panels.filter(organisation__in=scope)
    return panels.order_by("-created_at", "-pk")


def staff_panel(user: Any, pk: int) -> Panel:
    """The panel if `user` manages panels in its organisation; 404 or 403 otherwise."""
    panel = Panel.objects.select_related("organisation").filter(pk=pk).first()
    if panel is None:
        raise Http404
    if not (is_region_admin(user) or has_permission(user, MANAGE_PANELS, panel.organisation)):
        raise PermissionDenied
    return panel


def staff_volunteer(panel: Panel, pk: int) -> Volunteer:
    volunteer = (
        Volunteer.objects.select_related("municipality", "consent", "guardian_consent")
        .filter(panel=panel, pk=pk)
        .first()
    )
    if volunteer is None:
        raise Http404
    return volunteer


def staff_member(panel: Panel, pk: int) -> SelectionMember:
    member = SelectionMember.objects.filter(selection__panel=panel, pk=pk).first()
    if member is None:
        raise Http404
    return member


def staff_session(panel: Panel, pk: int) -> PanelSession:
    session = PanelSession.objects.filter(panel=panel, pk=pk).first()
    if session is None:
        raise Http404
    return session


def staff_recommendation(panel: Panel, pk: int) -> Recommendation:
    recommendation = Recommendation.objects.filter(session__panel=panel, pk=pk).first()
    if recommendation is None:
        raise Http404
    return recommendation


def volunteers(panel: Panel) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(panel=panel).select_related("municipality").order_by("pk")


def services_for(panel: Panel) -> QuerySet[Service]:
    """The services a recommendation may concern: those of the panel's organisation, or all."""
    own = Service.objects.filter(organisations=panel.organisation).distinct()
    chosen = own if own.exists() else Service.objects.all()
    return chosen.prefetch_related("texts").order_by("slug")
