"""The case metrics page: how well the one-stop shop works, for the leads of the units measured.

A unit lead sees the cases owned by the units they lead (and those units' own units); the
region admin sees the whole region. The figures and their definitions are in `metrics.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from luukku.accounts.models import User
from luukku.accounts.permissions import is_region_admin, require_org_permission
from luukku.accounts.roles import LEAD_UNIT

from .metrics import Dimension, case_metrics

StrOrPromise = str | Promise

DIMENSIONS: dict[str, StrOrPromise] = {
    "service": _("Service"),
    "unit": _("Unit"),
    "organisation": _("Organisation"),
}
PERIODS: dict[str, StrOrPromise] = {"30": _("30 days"), "90": _("90 days"), "365": _("a year")}


@require_GET
@require_org_permission(LEAD_UNIT)
def metrics(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    by = request.GET.get("by", "service")
    if by not in DIMENSIONS:
        by = "service"
    days = request.GET.get("days", "90")
    if days not in PERIODS:
        days = "90"
    units = None if is_region_admin(user) else user.organisations_with(LEAD_UNIT)
    rows = case_metrics(
        by=cast(Dimension, by),
        since=timezone.now() - timedelta(days=int(days)),
        units=None if units is None else units.values_list("pk", flat=True),
    )
    return render(
        request,
        "cases/metrics.html",
        {
            "rows": rows,
            "by": by,
            "days": days,
            "dimensions": DIMENSIONS.items(),
            "periods": PERIODS.items(),
            "whole_region": units is None,
        },
    )
