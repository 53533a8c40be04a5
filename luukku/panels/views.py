"""Panel pages: public sign-up and published responses; staff recruitment, draw and sessions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luukku.accounts.permissions import organisation_scope, require_org_permission
from luukku.accounts.roles import MANAGE_PANELS
from luukku.core.audit import record_read
from luukku.core.models import ConsentText
from luukku.organisations.models import Organisation

from . import reports, selectors, services
from .forms import (
    AttendanceForm,
    DrawForm,
    PanelForm,
    RecommendationForm,
    ResponseForm,
    SessionForm,
    SignUpForm,
)
from .models import Panel, SelectionMember, Volunteer

SESSION_SIGNED_UP = "luukku_panel_signed_up"


def _attach(form: BaseForm, error: Exception) -> None:
    """Show a service's refusal on the form: by field when it says which, else on top."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error.args[0] if error.args else error))


# --- public ----------------------------------------------------------------------------------


@require_GET
def panel_list(request: HttpRequest) -> HttpResponse:
    return render(request, "panels/list.html", {"panels": selectors.open_panels()})


@require_GET
def panel_page(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.public_panel(pk)
    return render(
        request,
        "panels/panel.html",
        {
            "panel": panel,
            "areas": services.panel_areas(panel),
            "is_open": panel.is_open_for_signup(),
        },
    )


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.public_panel(pk)
    consent = ConsentText.current(ConsentText.Purpose.PANEL_MEMBERSHIP)
    guardian_consent = ConsentText.current(ConsentText.Purpose.PANEL_GUARDIAN)
    if not panel.is_open_for_signup() or consent is None:
        return render(request, "panels/signup_closed.html", {"panel": panel}, status=410)
    initial = {
        "consent_id": consent.pk,
        "guardian_consent_id": guardian_consent.pk if guardian_consent else None,
    }
    form = SignUpForm(
        request.POST or None, initial=initial, municipalities=services.panel_areas(panel)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = services.sign_up(panel=panel, **data)
        except (ValidationError, services.PanelError) as error:
            _attach(form, error)
        else:
            request.session[SESSION_SIGNED_UP] = volunteer.panel_id
            return redirect("panels:thanks", pk=panel.pk)
    language = get_language() or "fi"
    return render(
        request,
        "panels/signup.html",
        {
            "panel": panel,
            "form": form,
            "consent_text": consent.text(language),
            "guardian_text": guardian_consent.text(language) if guardian_consent else "",
            "guardian_age": services.GUARDIAN_AGE,
        },
    )


@require_GET
def thanks(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.public_panel(pk)
    # Only the browser that signed up sees the thank-you page; nothing personal is on it.
    if request.session.get(SESSION_SIGNED_UP) != panel.pk:
        return redirect("panels:panel", pk=panel.pk)
    return render(request, "panels/thanks.html", {"panel": panel})


@require_GET
def recommendations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "panels/recommendations.html",
        {"recommendations": selectors.published_recommendations()},
    )


# --- staff -----------------------------------------------------------------------------------


def _organisations(request: HttpRequest) -> QuerySet[Organisation]:
    scope = organisation_scope(request.user, MANAGE_PANELS)
    return Organisation.objects.all() if scope is None else scope


@require_GET
@require_org_permission(MANAGE_PANELS)
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "panels/staff/list.html", {"panels": selectors.staff_panels(request.user)}
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_PANELS)
def staff_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk) if pk is not None else None
    form = PanelForm(
        request.POST or None,
        instance=panel if panel is not None else Panel(),
        organisations=_organisations(request).order_by("name_fi"),
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PanelForm.Meta.fields}
        try:
            saved = services.save_panel(
                panel=panel,
                fields=fields,
                municipalities=form.cleaned_data["municipalities"],
                actor=request.user,
            )
        except (ValidationError, services.PanelError) as error:
            _attach(form, error)
        else:
            messages.success(request, _("The panel was saved."))
            return redirect("panels_staff:panel", pk=saved.pk)
    return render(request, "panels/staff/edit.html", {"panel": panel, "form": form})


@require_GET
@require_org_permission(MANAGE_PANELS)
def staff_panel(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    selection = services.current_selection(panel)
    return render(
        request,
        "panels/staff/panel.html",
        {
            "panel": panel,
            "selection": selection,
            "volunteer_count": panel.volunteers.count(),
            "sessions": panel.sessions.all(),
        },
    )


@require_POST
@require_org_permission(MANAGE_PANELS)
def staff_close(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    try:
        services.close_panel(panel=panel, actor=request.user)
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The panel was closed."))
    return redirect("panels_staff:panel", pk=panel.pk)


@require_GET
@require_org_permission(MANAGE_PANELS)
def staff_volunteers(request: HttpRequest, pk: int) -> HttpResponse:
    """Background only: contact details are on each volunteer's own page, read one by one."""
    panel = selectors.staff_panel(request.user, pk)
    return render(
        request,
        "panels/staff/volunteers.html",
        {"panel": panel, "volunteers": selectors.volunteers(panel)},
    )


@require_GET
@require_org_permission(MANAGE_PANELS)
def staff_volunteer(request: HttpRequest, pk: int, volunteer_pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    volunteer = selectors.staff_volunteer(panel, volunteer_pk)
    if volunteer.anonymised_at is None:
        record_read(
            actor=request.user,
            target=volunteer,
            request=request,
            purpose="panel volunteer's contact details",
        )
    return render(request, "panels/staff/volunteer.html", {"panel": panel, "volunteer": volunteer})


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_PANELS)
def staff_draw(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.draw(
                panel=panel, actor=request.user, seed=form.cleaned_data["seed"], request=request
            )
        except services.PanelError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The members were drawn."))
            return redirect("panels_staff:report", pk=panel.pk)
    pool = panel.volunteers.filter(status=Volunteer.Status.VOLUNTEER).count()
    return render(request, "panels/staff/draw.html", {"panel": panel, "form": form, "pool": pool})


@require_GET
@require_org_permission(MANAGE_PANELS)
def staff_report(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    selection = services.current_selection(panel)
    if selection is None:
        messages.info(request, _("The members have not been drawn yet."))
        return redirect("panels_staff:draw", pk=panel.pk)
    # The report as it stands needs today's population figures; without them (removed or not
    # yet imported for a new year) the page still shows the report recorded at the draw.
    try:
        current: reports.ReportView | None = reports.describe(services.refresh_report(selection))
        current_error = ""
    except services.PanelError as error:
        current, current_error = None, str(error)
    return render(
        request,
        "panels/staff/report.html",
        {
            "panel": panel,
            "selection": selection,
            "report": current,
            "report_error": current_error,
            "at_draw": reports.describe(selection.report),
        },
    )


@require_GET
@require_org_permission(MANAGE_PANELS)
def staff_members(request: HttpRequest, pk: int) -> HttpResponse:
    """The seated members with contact details (to invite them): each read is audit-logged."""
    panel = selectors.staff_panel(request.user, pk)
    selection = services.current_selection(panel)
    members = services.seated(selection) if selection else []
    for member in members:
        if member.volunteer.anonymised_at is None:
            record_read(
                actor=request.user,
                target=member.volunteer,
                request=request,
                purpose="panel member's contact details",
            )
    left = (
        SelectionMember.objects.filter(selection=selection)
        .exclude(volunteer__status=Volunteer.Status.SELECTED)
        .select_related("volunteer__municipality", "replaced_by__volunteer")
        .order_by("position")
        if selection
        else []
    )
    return render(
        request,
        "panels/staff/members.html",
        {"panel": panel, "selection": selection, "members": members, "left": left},
    )


@require_POST
@require_org_permission(MANAGE_PANELS)
def staff_withdraw(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    member = selectors.staff_member(panel, member_pk)
    replace = request.POST.get("replace") == "1"
    try:
        new_member = services.withdraw(
            member=member, actor=request.user, replace=replace, request=request
        )
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        if new_member is not None:
            messages.success(
                request,
                _("Seat %(position)s: a reserve took the seat.") % {"position": member.position},
            )
        elif replace:
            messages.warning(request, _("The member withdrew. There are no reserves left."))
        else:
            messages.success(request, _("The member withdrew; the seat is empty."))
    return redirect("panels_staff:members", pk=panel.pk)


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_PANELS)
def staff_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.add_session(panel=panel, **form.cleaned_data)
        except services.PanelError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The session was added."))
            return redirect("panels_staff:session", pk=panel.pk, session_pk=session.pk)
    return render(
        request,
        "panels/staff/sessions.html",
        {"panel": panel, "sessions": panel.sessions.all(), "form": form},
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(MANAGE_PANELS)
def staff_session(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    session = selectors.staff_session(panel, session_pk)
    selection = services.current_selection(panel)
    members = SelectionMember.objects.filter(
        pk__in=[m.pk for m in services.seated(selection)] if selection else []
    ).order_by("position")
    present = session.attendance.filter(present=True).values_list("member_id", flat=True)
    attendance_form = AttendanceForm(
        request.POST if "attendance" in request.POST else None,
        members=members,
        initial={"present": list(present)},
    )
    recommendation_form = RecommendationForm(
        request.POST if "recommendation" in request.POST else None,
        services=selectors.services_for(panel),
    )
    if request.method == "POST":
        if "attendance" in request.POST and attendance_form.is_valid():
            services.record_attendance(
                session=session, present=[m.pk for m in attendance_form.cleaned_data["present"]]
            )
            messages.success(request, _("Attendance was saved."))
            return redirect("panels_staff:session", pk=panel.pk, session_pk=session.pk)
        if "recommendation" in request.POST and recommendation_form.is_valid():
            services.add_recommendation(session=session, **recommendation_form.cleaned_data)
            messages.success(request, _("The recommendation was added."))
            return redirect("panels_staff:session", pk=panel.pk, session_pk=session.pk)
    items = [
        (
            item,
            ResponseForm(
                prefix=f"r{item.pk}",
                initial={"response": item.response, "publish": item.is_published},
            ),
        )
        for item in session.recommendations.prefetch_related("services__texts")
    ]
    return render(
        request,
        "panels/staff/session.html",
        {
            "panel": panel,
            "session": session,
            "attendance_form": attendance_form,
            "recommendation_form": recommendation_form,
            "items": items,
        },
    )


@require_POST
@require_org_permission(MANAGE_PANELS)
def staff_respond(request: HttpRequest, pk: int, recommendation_pk: int) -> HttpResponse:
    panel = selectors.staff_panel(request.user, pk)
    recommendation = selectors.staff_recommendation(panel, recommendation_pk)
    form = ResponseForm(request.POST, prefix=f"r{recommendation.pk}")
    if form.is_valid():
        try:
            services.respond(
                recommendation=recommendation,
                response=form.cleaned_data["response"],
                publish=form.cleaned_data["publish"],
                actor=request.user,
                request=request,
            )
        except services.PanelError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The response was saved."))
    return redirect("panels_staff:session", pk=panel.pk, session_pk=recommendation.session_id)
