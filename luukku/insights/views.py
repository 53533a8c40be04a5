"""Staff insight pages: the dashboard, its exports, representativeness, the report and alerts.

Every page needs VIEW_SURVEY_RESULTS and shows only answers of the user's organisations (the
form puts the scope into the filter; the region admin's scope is the whole region). When no
extract has been built yet the pages say so rather than fail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from luukku.accounts.permissions import organisation_scope, require_org_permission
from luukku.accounts.roles import VIEW_SURVEY_RESULTS

from . import exports, extract, report, selectors
from .forms import DIMENSIONS, MEASURES, DashboardForm, InsightFilterForm
from .models import InsightAlert


def _no_extract(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "no_extract": True})


@require_GET
@require_org_permission(VIEW_SURVEY_RESULTS)
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = organisation_scope(request.user, VIEW_SURVEY_RESULTS)
    form = DashboardForm(request.GET or None, scope=scope)
    context: dict[str, Any] = {"form": form, "query": request.GET.urlencode()}
    if form.is_bound and not form.is_valid():
        return render(request, "insights/dashboard.html", context)
    by = form.grouping()
    measure = form.measure_name()
    try:
        data = selectors.dashboard(
            form.insight_filter(),
            by=by,
            measure=measure,
            weighting=form.margins(),
            chart_title=_("%(measure)s by %(groups)s")
            % {
                "measure": MEASURES[measure],
                "groups": " × ".join(str(DIMENSIONS[d]).lower() for d in by),
            },
        )
    except FileNotFoundError:
        return _no_extract(request, "insights/dashboard.html", context)
    date_from, date_to = form.period()
    filters = form.insight_filter()
    context.update(
        data=data,
        built_at=extract.built_at(),
        dimension_names=[DIMENSIONS[d] for d in by],
        measure_name=MEASURES[measure],
        cases=selectors.case_figures(
            by=by[0],
            date_from=date_from,
            date_to=date_to,
            scope_ids=filters.organisation_ids,
            service_ids=filters.service_ids,
        ),
        cases_by=_("Organisation") if by[0] == "organisation" else _("Service"),
    )
    return render(request, "insights/dashboard.html", context)


@require_GET
@require_org_permission(VIEW_SURVEY_RESULTS)
def export(request: HttpRequest) -> HttpResponse:
    scope = organisation_scope(request.user, VIEW_SURVEY_RESULTS)
    form = DashboardForm(request.GET, scope=scope)
    if not form.is_valid():
        return render(request, "insights/dashboard.html", {"form": form}, status=400)
    file_format = request.GET.get("format", "csv")
    if file_format not in exports.FORMATS:
        return HttpResponse(_("Unknown export format."), status=400, content_type="text/plain")
    try:
        made = exports.export_dashboard(
            form.insight_filter(),
            by=form.grouping(),
            measure=form.measure_name(),
            weighting=form.margins(),
            file_format=file_format,
            actor=request.user,
            request=request,
        )
    except FileNotFoundError:
        return _no_extract(request, "insights/dashboard.html", {"form": form})
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@require_org_permission(VIEW_SURVEY_RESULTS)
def representativeness(request: HttpRequest) -> HttpResponse:
    scope = organisation_scope(request.user, VIEW_SURVEY_RESULTS)
    form = InsightFilterForm(request.GET or None, scope=scope)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "insights/representativeness.html", context)
    try:
        context["coverage"] = selectors.coverage_page(form.insight_filter())
    except FileNotFoundError:
        return _no_extract(request, "insights/representativeness.html", context)
    return render(request, "insights/representativeness.html", context)


@require_GET
@require_org_permission(VIEW_SURVEY_RESULTS)
def themes(request: HttpRequest) -> HttpResponse:
    scope = organisation_scope(request.user, VIEW_SURVEY_RESULTS)
    form = InsightFilterForm(request.GET or None, scope=scope)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "insights/themes.html", context)
    try:
        analysis, since, until = selectors.theme_analysis(form.insight_filter())
    except FileNotFoundError:
        return _no_extract(request, "insights/themes.html", context)
    context.update(analysis=analysis, since=since, until=until)
    return render(request, "insights/themes.html", context)


@require_GET
@require_org_permission(VIEW_SURVEY_RESULTS)
def report_page(request: HttpRequest) -> HttpResponse:
    scope = organisation_scope(request.user, VIEW_SURVEY_RESULTS)
    form = InsightFilterForm(request.GET or None, scope=scope)
    context: dict[str, Any] = {"form": form, "query": request.GET.urlencode()}
    if form.is_bound and not form.is_valid():
        return render(request, "insights/report.html", context)
    try:
        context["report"] = report.build(form)
    except FileNotFoundError:
        return _no_extract(request, "insights/report.html", context)
    return render(request, "insights/report.html", context)


@require_GET
@require_org_permission(VIEW_SURVEY_RESULTS)
def report_pdf(request: HttpRequest) -> HttpResponse:
    scope = organisation_scope(request.user, VIEW_SURVEY_RESULTS)
    form = InsightFilterForm(request.GET, scope=scope)
    if not form.is_valid():
        return render(request, "insights/report.html", {"form": form}, status=400)
    try:
        built = report.build(form)
    except FileNotFoundError:
        return _no_extract(request, "insights/report.html", {"form": form})
    content = report.to_pdf(built, actor=request.user, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename(built)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@require_org_permission(VIEW_SURVEY_RESULTS)
def alerts(request: HttpRequest) -> HttpResponse:
    scope = organisation_scope(request.user, VIEW_SURVEY_RESULTS)
    found = InsightAlert.objects.select_related("service", "organisation", "acknowledged_by")
    if scope is not None:
        found = found.filter(
            Q(organisation__in=scope) | Q(service__roles__organisation__in=scope)
        ).distinct()
    return render(request, "insights/alerts.html", {"alerts": found[:200]})
