"""Staff pages for case work: the work queue, the case page and its actions.

Thin views: parse the form, check the permission and the user's access to the case
(access.py), call one service function, redirect (POST-redirect-GET). A case the user may not
see answers 404, so its existence is not revealed to other organisations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from luukku.accounts.models import User
from luukku.accounts.permissions import has_permission, require_org_permission
from luukku.accounts.roles import HANDLE_CASES, LEAD_UNIT, TRIAGE_ROUTING
from luukku.core import audit
from luukku.core.masking import mask_personal_data
from luukku.core.models import AuditEvent
from luukku.organisations.models import Organisation
from luukku.router import services as router_services
from luukku.router.models import TriageItem

from . import access as case_access_rules
from . import selectors, services
from .access import CaseAccess, Viewer
from .forms import (
    AddTaskForm,
    CloseForm,
    ConsentForm,
    CustomerUpdateForm,
    MergeForm,
    NextActionForm,
    NoteForm,
    OpenCaseForm,
    ReasonForm,
    SplitForm,
    TakeOwnershipForm,
    TaskUpdateForm,
    TransferForm,
    TriageDecisionForm,
)
from .models import Case, CaseEvent, Consent, Sensitivity, Task
from .services import CaseError, OwnershipConflict

TABS = {
    "mine": gettext_lazy("My cases"),
    "unit": gettext_lazy("My unit's tasks"),
    "transition": gettext_lazy("In transition"),
    "overdue": gettext_lazy("Overdue cases"),
    "stalled": gettext_lazy("Overdue and stalled tasks"),
    "triage": gettext_lazy("Triage"),
}


# The case page holds several forms; their field ids must not collide (both have a "reason").
NOTE_IDS = "note_%s"
NEXT_ACTION_IDS = "next_%s"
TAKE_IDS = "take_%s"
UPDATE_IDS = "update_%s"


def _staff(request: HttpRequest) -> User:
    """The logged-in staff member (every view here is behind require_org_permission)."""
    return cast(User, request.user)


def _viewer(request: HttpRequest) -> Viewer:
    cached: Viewer | None = getattr(request, "_case_viewer", None)
    if cached is None:
        cached = case_access_rules.viewer_for(request.user)
        request._case_viewer = cached  # type: ignore[attr-defined]
    return cached


def _units(viewer: Viewer) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=viewer.case_org_ids).order_by("name_fi")


def _available_tabs(user: Any) -> list[str]:
    tabs = ["mine", "unit", "transition"]
    if has_permission(user, LEAD_UNIT):
        tabs += ["overdue", "stalled"]
    if has_permission(user, TRIAGE_ROUTING):
        tabs.append("triage")
    return tabs


# -- work queue ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
@require_org_permission(HANDLE_CASES)
def queue(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    tabs = _available_tabs(request.user)
    tab = request.GET.get("tab", "mine")
    if tab not in tabs:
        tab = "mine"
    page_number = request.GET.get("page")
    context: dict[str, Any] = {
        "tab": tab,
        "tabs": [(name, TABS[name]) for name in tabs],
    }
    shown_cases: list[str] = []
    if tab == "mine":
        page = selectors.paginate(selectors.my_cases(request.user), page_number)
        shown_cases = [case.reference for case in page]
    elif tab == "unit":
        page = selectors.paginate(selectors.unit_tasks(viewer), page_number)
        shown_cases = [task.case.reference for task in page]
    elif tab == "transition":
        page = selectors.paginate(selectors.in_transition(viewer), page_number)
        shown_cases = [case.reference for case in page]
    elif tab in ("overdue", "stalled"):
        lead_orgs = frozenset(
            _staff(request).organisations_with(LEAD_UNIT).values_list("pk", flat=True)
        )
        late = selectors.late_work(lead_orgs)
        if tab == "overdue":
            page = selectors.paginate(late.overdue_cases, page_number)
            shown_cases = [case.reference for case in page]
        else:
            page = selectors.paginate(late.late_tasks, page_number)
            shown_cases = [task.case.reference for task in page]
    else:
        page = selectors.paginate(selectors.triage_waiting(), page_number)
    context["page"] = page
    if shown_cases:
        # The list shows customers' names: one audit row per page view, naming the cases.
        audit.record(
            action=AuditEvent.Action.READ,
            actor=_staff(request),
            request=request,
            purpose=f"case work queue ({tab})",
            details={"cases": shown_cases},
        )
    return render(request, "cases/queue.html", context)


# -- case page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    task: Task
    shows_content: bool
    is_own: bool
    update_form: TaskUpdateForm | None


@dataclass(frozen=True)
class EventRow:
    event: CaseEvent
    shows_details: bool


def _case_and_access(request: HttpRequest, reference: str) -> tuple[Case, CaseAccess]:
    """The case with its page data and the user's access to it; 404 when the user may not see it."""
    case = selectors.case_for_page(reference)
    if case is None:
        raise Http404
    access = case_access_rules.case_access(_viewer(request), case, case.consents.all())
    if not access.may_view:
        raise Http404
    return case, access


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_http_methods(["GET"])
@require_org_permission(HANDLE_CASES)
def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    case_access_rules.audit_case_view(access, request=request)
    return _render_case(request, case, access)


def _render_case(
    request: HttpRequest,
    case: Case,
    access: CaseAccess,
    *,
    forms_in_error: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms_in_error = forms_in_error or {}
    tasks = access.visible_tasks(case.tasks.all())
    updatable = [
        task
        for task in tasks
        if case.status == Case.Status.OPEN
        and task.status in Task.ACTIVE
        and (access.may_manage or access.is_own_task(task))
    ]
    handlers = selectors.case_handlers_for({task.organisation_id for task in updatable})
    task_rows = [
        TaskRow(
            task=task,
            shows_content=access.sees_task_content(task),
            is_own=access.is_own_task(task),
            update_form=(
                forms_in_error.get(f"task-{task.pk}")  # type: ignore[arg-type]
                or _task_update_form(task, handlers[task.organisation_id])
            )
            if task in updatable
            else None,
        )
        for task in tasks
    ]
    event_rows = []
    for event in case.events.all():
        if event.task is not None and not access.sees_task(event.task):
            continue
        details = event.task is None or access.sees_task_content(event.task)
        event_rows.append(EventRow(event, shows_details=details))
    writable_tasks = [row.task for row in task_rows if row.shows_content]
    units = _units(access.viewer)
    is_open = case.status == Case.Status.OPEN
    context = {
        "case": case,
        "access": access,
        "task_rows": task_rows,
        "hidden_task_count": len(case.tasks.all()) - len(tasks),
        "notes": access.visible_notes(case.notes.all()),
        "events": event_rows,
        "consents": [c for c in case.consents.all() if access.may_manage],
        "note_form": forms_in_error.get("note")
        or (NoteForm(tasks=writable_tasks, auto_id=NOTE_IDS) if access.is_team_member else None),
        "update_form": forms_in_error.get("customer_update")
        or (CustomerUpdateForm(auto_id=UPDATE_IDS) if access.is_team_member else None),
        "next_action_form": forms_in_error.get("next_action")
        or (
            NextActionForm(initial={"on": case.next_action_on}, auto_id=NEXT_ACTION_IDS)
            if is_open and access.may_manage
            else None
        ),
        "take_form": forms_in_error.get("take")
        or (
            TakeOwnershipForm(
                auto_id=TAKE_IDS,
                units=units,
                initial={"expected_owner": case.owner_id, "unit": _preferred_unit(case, access)},
            )
            if is_open and access.is_team_member and case.owner_id != request.user.pk
            else None
        ),
    }
    return render(request, "cases/case.html", context, status=status)


def _task_update_form(task: Task, assignees: list[User], data: Any = None) -> TaskUpdateForm:
    current = str(task.assignee_id) if any(u.pk == task.assignee_id for u in assignees) else ""
    return TaskUpdateForm(
        data,
        prefix=f"task-{task.pk}",
        assignees=assignees,
        initial={
            "status": task.status,
            "next_action_on": task.next_action_on,
            "assignee": current,
        },
    )


def _preferred_unit(case: Case, access: CaseAccess) -> int | None:
    """The unit a taker most likely acts for: the owner's unit, else their task's unit."""
    if case.owner_unit_id in access.viewer.case_org_ids:
        return case.owner_unit_id
    for task in case.tasks.all():
        if access.is_own_task(task):
            return task.organisation_id
    return None


def _case_url(case: Case) -> HttpResponse:
    return redirect("cases:case", case.reference)


# -- actions on the case page -------------------------------------------------------------------


@require_POST
@require_org_permission(HANDLE_CASES)
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.is_team_member)
    writable = [
        task for task in access.visible_tasks(case.tasks.all()) if access.sees_task_content(task)
    ]
    form = NoteForm(request.POST, tasks=writable, auto_id=NOTE_IDS)
    if form.is_valid():
        data = form.cleaned_data
        author_unit = _acting_unit(case, access, data["task"])
        try:
            services.add_note(
                case=case,
                author=_staff(request),
                author_unit=author_unit,
                body=data["body"],
                visibility=data["visibility"],
                sensitivity=data["sensitivity"],
                task=data["task"],
            )
        except CaseError as error:
            _add_case_error(form, error, default_field="body")
        else:
            messages.success(request, _("The note was added."))
            return _case_url(case)
    case_access_rules.audit_case_view(access, request=request)
    return _render_case(request, case, access, forms_in_error={"note": form}, status=400)


def _acting_unit(case: Case, access: CaseAccess, task: Task | None) -> Organisation:
    """The unit a note is written for: the task's unit when it is the writer's, else the case
    owner's unit when the writer works there, else any unit of the writer on this case."""
    org_ids = access.viewer.case_org_ids
    if task is not None and task.organisation_id in org_ids:
        return task.organisation
    if case.owner_unit_id in org_ids or case.owner_id == access.viewer.user.pk:
        return case.owner_unit
    for own in case.tasks.all():
        if own.organisation_id in org_ids:
            return own.organisation
    raise PermissionDenied


@require_POST
@require_org_permission(HANDLE_CASES)
def record_customer_update(request: HttpRequest, reference: str) -> HttpResponse:
    """Staff log that the customer got in touch; on a closed case this reopens it."""
    case, access = _case_and_access(request, reference)
    _require(access.is_team_member)
    form = CustomerUpdateForm(request.POST, auto_id=UPDATE_IDS)
    if form.is_valid():
        try:
            event = services.record_customer_update(
                case=case,
                body=form.cleaned_data["body"],
                channel=form.cleaned_data["channel"],
                recorded_by=_staff(request),
            )
        except CaseError as error:
            _add_case_error(form, error, default_field="body")
        else:
            target = event.case
            if target.pk != case.pk:
                message = _(
                    "This case was merged into %(reference)s: the customer's update was "
                    "recorded there."
                ) % {"reference": target.reference}
            else:
                message = _("The customer's update was recorded.")
            if event.details.get("reopened"):
                message = f"{message} {_('The case was closed and is now open again.')}"
            messages.success(request, message)
            return _case_url(target)
    case_access_rules.audit_case_view(access, request=request)
    return _render_case(request, case, access, forms_in_error={"customer_update": form}, status=400)


@require_POST
@require_org_permission(HANDLE_CASES)
def set_next_action(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage)
    form = NextActionForm(request.POST, auto_id=NEXT_ACTION_IDS)
    if form.is_valid():
        try:
            services.set_next_action(
                case=case,
                on=form.cleaned_data["on"],
                actor=_staff(request),
                reason=form.cleaned_data["reason"],
            )
        except CaseError as error:
            _add_case_error(form, error, default_field="on")
        else:
            messages.success(request, _("The next action date was set."))
            return _case_url(case)
    case_access_rules.audit_case_view(access, request=request)
    return _render_case(request, case, access, forms_in_error={"next_action": form}, status=400)


@require_POST
@require_org_permission(HANDLE_CASES)
def take_ownership(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.is_team_member)
    form = TakeOwnershipForm(request.POST, units=_units(access.viewer), auto_id=TAKE_IDS)
    if form.is_valid():
        try:
            services.transfer_ownership(
                case=case,
                to_owner=_staff(request),
                to_unit=form.cleaned_data["unit"],
                actor=_staff(request),
                reason=form.cleaned_data["reason"] or _("Took ownership of the case."),
                expected_owner=_expected_owner(form),
            )
        except OwnershipConflict as error:
            messages.error(request, _conflict_message(case, error))
            return _case_url(case)
        except CaseError as error:
            _add_case_error(form, error, default_field="unit")
        else:
            messages.success(request, _("You are now the owner of the case."))
            return _case_url(case)
    case_access_rules.audit_case_view(access, request=request)
    return _render_case(request, case, access, forms_in_error={"take": form}, status=400)


def _expected_owner(form: forms.Form) -> User | None:
    return User.objects.filter(pk=form.cleaned_data["expected_owner"]).first()


def _conflict_message(case: Case, error: CaseError) -> str:
    case.refresh_from_db(fields=["owner", "owner_unit"])
    owner = case.owner.get_full_name() or case.owner.get_username()
    return _(
        "Someone else changed the owner of the case meanwhile: it is now owned by %(owner)s "
        "(%(unit)s). Nothing was changed; check the case and try again if still needed."
    ) % {"owner": owner, "unit": case.owner_unit.name()}


@require_POST
@require_org_permission(HANDLE_CASES)
def update_task(request: HttpRequest, reference: str, task_id: int) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    task = next((t for t in case.tasks.all() if t.pk == task_id), None)
    if task is None or not access.sees_task(task):
        raise Http404
    _require(access.may_manage or access.is_own_task(task))
    handlers = selectors.case_handlers_for([task.organisation_id])[task.organisation_id]
    form = _task_update_form(task, handlers, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_task(
                task=task,
                actor=_staff(request),
                status=data["status"],
                assignee=data["assignee"],
                next_action_on=data["next_action_on"],
                note=data["note"],
            )
        except CaseError as error:
            _add_case_error(form, error, default_field="status")
        else:
            messages.success(request, _("The service need was updated."))
            return _case_url(case)
    case_access_rules.audit_case_view(access, request=request)
    return _render_case(request, case, access, forms_in_error={f"task-{task.pk}": form}, status=400)


@require_POST
@require_org_permission(HANDLE_CASES)
def revoke_consent(request: HttpRequest, reference: str, consent_id: int) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage)
    consent = next(
        (c for c in case.consents.all() if c.pk == consent_id and c.revoked_at is None), None
    )
    if consent is None:
        raise Http404
    try:
        services.revoke_consent(consent=consent, actor=_staff(request))
    except CaseError as error:  # revoked by someone else a moment ago
        messages.info(request, error.message)
        return _case_url(case)
    messages.success(
        request,
        _("The consent of %(organisation)s was revoked.")
        % {"organisation": consent.organisation.name()},
    )
    return _case_url(case)


# -- actions on their own pages -----------------------------------------------------------------


def _add_case_error(form: forms.Form, error: CaseError, *, default_field: str) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(
        field or (default_field if default_field in form.fields else None), error.message
    )


def _action_page(
    request: HttpRequest,
    case: Case,
    access: CaseAccess,
    *,
    form: forms.Form,
    title: str,
    perform: Callable[[dict[str, Any]], Any],
    success: str,
    submit_label: str,
    intro: str = "",
    default_field: str = "reason",
) -> HttpResponse:
    """GET shows the form; a valid POST performs the action and redirects to the case page.

    `perform` returns the case to go to (the survivor of a merge, the new case of a split).
    """
    conflict = ""
    if request.method == "POST" and form.is_valid():
        try:
            target = perform(form.cleaned_data)
        except OwnershipConflict as error:
            conflict = _conflict_message(case, error)
            # Shown again with the current owner: a second submit is a deliberate decision.
            data = form.data.copy()  # type: ignore[attr-defined]
            data["expected_owner"] = str(case.owner_id)
            form.data = data
        except CaseError as error:
            _add_case_error(form, error, default_field=default_field)
        else:
            messages.success(request, success)
            return _case_url(target if isinstance(target, Case) else case)
    case_access_rules.audit_case_view(access, request=request)
    return render(
        request,
        "cases/action.html",
        {
            "case": case,
            "form": form,
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "conflict": conflict,
        },
        status=409 if conflict else 400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def transfer(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage and case.status == Case.Status.OPEN)
    form = TransferForm(request.POST or None, initial={"expected_owner": case.owner_id})

    def perform(data: dict[str, Any]) -> Case:
        membership = data["new_owner"]
        return services.transfer_ownership(
            case=case,
            to_owner=membership.user,
            to_unit=membership.organisation,
            actor=_staff(request),
            reason=data["reason"],
            expected_owner=_expected_owner(form),
        )

    owner = case.owner.get_full_name() or case.owner.get_username()
    return _action_page(
        request,
        case,
        access,
        form=form,
        title=_("Hand the case over"),
        intro=_("The case is now owned by %(owner)s (%(unit)s).")
        % {"owner": owner, "unit": case.owner_unit.name()},
        perform=perform,
        success=_("The case was handed over."),
        submit_label=_("Hand over"),
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def give_consent(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage)
    form = ConsentForm(request.POST or None)

    def perform(data: dict[str, Any]) -> Consent:
        return services.give_consent(
            case=case,
            organisation=data["organisation"],
            scope=data["scope"],
            includes_social_health=data["includes_social_health"],
            how_given=data["how_given"],
            actor=_staff(request),
        )

    return _action_page(
        request,
        case,
        access,
        form=form,
        title=_("Record the customer's consent"),
        intro=_(
            "The customer decides which organisations see which parts of the case. "
            "The consent can be revoked at any time on the case page."
        ),
        perform=perform,
        success=_("The consent was recorded."),
        submit_label=_("Record consent"),
        default_field="organisation",
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def close(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage and case.status == Case.Status.OPEN)
    form = CloseForm(request.POST or None)

    def perform(data: dict[str, Any]) -> Case:
        return services.close_case(
            case=case,
            outcome=data["outcome"],
            actor=_staff(request),
            summary=data["summary"],
            first_contact_resolution=data["first_contact_resolution"],
        )

    return _action_page(
        request,
        case,
        access,
        form=form,
        title=_("Close the case"),
        perform=perform,
        success=_("The case was closed."),
        submit_label=_("Close the case"),
        default_field="outcome",
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage and case.status == Case.Status.CLOSED)
    form = ReasonForm(request.POST or None)

    def perform(data: dict[str, Any]) -> Case:
        return services.reopen_case(case=case, reason=data["reason"], actor=_staff(request))

    return _action_page(
        request,
        case,
        access,
        form=form,
        title=_("Reopen the case"),
        perform=perform,
        success=_("The case was reopened."),
        submit_label=_("Reopen"),
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def merge(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage and case.status == Case.Status.OPEN)
    form = MergeForm(request.POST or None)

    def perform(data: dict[str, Any]) -> Case:
        survivor = data["survivor"]
        survivor_access = case_access_rules.case_access(access.viewer, survivor)
        if not survivor_access.may_view:
            # Said as if the case did not exist: its existence is not the user's to know.
            raise CaseError(
                "survivor",
                _("No case has the number %(reference)s.") % {"reference": survivor.reference},
            )
        return services.merge_cases(
            duplicate=case, survivor=survivor, actor=_staff(request), reason=data["reason"]
        )

    return _action_page(
        request,
        case,
        access,
        form=form,
        title=_("Merge as a duplicate"),
        intro=_("This case is closed as a duplicate; its service needs and notes move over."),
        perform=perform,
        success=_("The case was merged."),
        submit_label=_("Merge"),
        default_field="survivor",
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def split(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage and case.status == Case.Status.OPEN)
    form = SplitForm(request.POST or None, case=case)

    def perform(data: dict[str, Any]) -> Case:
        membership = data["new_owner"]
        return services.split_case(
            case=case,
            tasks=list(data["tasks"]),
            actor=_staff(request),
            title=data["title"],
            owner=membership.user,
            owner_unit=membership.organisation,
            reason=data["reason"],
        )

    return _action_page(
        request,
        case,
        access,
        form=form,
        title=_("Split the case"),
        intro=_("The chosen service needs move to a new case with its own owner."),
        perform=perform,
        success=_("The case was split; this is the new case."),
        submit_label=_("Split"),
        default_field="tasks",
    )


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def add_task(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_and_access(request, reference)
    _require(access.may_manage and case.status == Case.Status.OPEN)
    text = f"{case.title}\n{case.description}".strip()
    suggestions = router_services.suggest(
        text,
        language=case.customer.language if case.customer else "fi",
        municipality=case.customer.municipality if case.customer else None,
    )
    form = AddTaskForm(request.POST or None, suggestions=suggestions)

    def perform(data: dict[str, Any]) -> Task:
        return services.add_task(
            case=case,
            service=data["service"],
            organisation=data["organisation"],
            actor=_staff(request),
            description=data["description"],
            sensitivity=data["sensitivity"] or Sensitivity.GENERAL,
            next_action_on=data["next_action_on"],
        )

    return _action_page(
        request,
        case,
        access,
        form=form,
        title=_("Add a service need"),
        intro=_("Suggestions are based on the title and description of the case."),
        perform=perform,
        success=_("The service need was added."),
        submit_label=_("Add"),
        default_field="service",
    )


# -- opening a case -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_org_permission(HANDLE_CASES)
def open_case(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = OpenCaseForm(request.POST or None, units=_units(viewer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = _open_case(request, data)
        except CaseError as error:
            _add_case_error(form, error, default_field="title")
        else:
            messages.success(
                request,
                _("Case %(reference)s was opened. Add the customer's service needs next.")
                % {"reference": case.reference},
            )
            return redirect("cases:add_task", case.reference)
    return render(request, "cases/open.html", {"form": form}, status=400 if form.errors else 200)


def _open_case(request: HttpRequest, data: dict[str, Any]) -> Case:
    """The customer and the case together, or neither."""
    with transaction.atomic():
        customer = None
        if data["customer_name"]:
            customer = services.find_or_create_customer(
                kind=data["customer_kind"],
                name=data["customer_name"],
                identity_code=data["identity_code"],
                business_id=data["business_id"],
                email=data["email"],
                phone=data["phone"],
                municipality=data["municipality"],
                language=data["language"],
            )
        return services.open_case(
            channel=data["channel"],
            title=data["title"],
            description=data["description"],
            owner=_staff(request),
            owner_unit=data["owner_unit"],
            actor=_staff(request),
            customer=customer,
            next_action_on=data["next_action_on"],
        )


# -- triage -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_org_permission(TRIAGE_ROUTING)
def triage_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = TriageItem.objects.filter(pk=item_id, status=TriageItem.Status.WAITING).first()
    if item is None:
        raise Http404
    form = TriageDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_triage(
                item=item, service=form.cleaned_data["service"], actor=_staff(request)
            )
        except router_services.RouterError:
            # Someone else decided it between this page and the click: theirs stands.
            messages.info(request, _("Someone else already chose the service for this message."))
        except CaseError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The service was chosen; the router learns from it."))
        return redirect(f"{reverse('cases:queue')}?tab=triage")
    return render(
        request,
        "cases/triage.html",
        {"item": item, "text": mask_personal_data(item.text), "form": form},
        status=400 if form.errors else 200,
    )
