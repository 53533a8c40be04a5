"""Staff pages for ideas: list, read, submit, edit, comment, support, decide.

Thin views: parse the form, check the permission, call one service function, redirect
(POST-redirect-GET). Every staff member may read, write, comment on and support ideas across
organisations (that is the point: the people who see a service fail must reach those who can
change it); only the managers of an idea's services decide on it (selectors.may_decide).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luukku.accounts.models import User
from luukku.accounts.permissions import require_org_permission
from luukku.accounts.roles import VIEW_STAFF_PAGES
from luukku.catalogue.models import Service

from . import selectors, services
from .forms import CommentForm, FilterForm, IdeaForm, StatusForm
from .models import Idea
from .selectors import IdeaFilters, Tab
from .services import IdeaError, PersonalDataSuspected

TAB_LABELS = {
    Tab.ALL: gettext_lazy("All ideas"),
    Tab.MINE: gettext_lazy("My ideas"),
    Tab.MY_SERVICES: gettext_lazy("For my services"),
}


def _staff(request: HttpRequest) -> User:
    """The logged-in staff member (every view here is behind require_org_permission)."""
    return cast(User, request.user)


def _idea_or_404(pk: int, user: User) -> Idea:
    idea = selectors.idea_detail(pk, user)
    if idea is None:
        raise Http404
    return idea


@require_GET
@require_org_permission(VIEW_STAFF_PAGES)
def idea_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    tabs = [Tab.ALL, Tab.MINE] + ([Tab.MY_SERVICES] if selectors.is_decider(user) else [])
    tab = request.GET.get("tab", Tab.ALL)
    if tab not in tabs:
        tab = Tab.ALL
    language_services = selectors.services_with_ideas()
    filter_form = FilterForm(
        request.GET, services=[(service.slug, service.name()) for service in language_services]
    )
    chosen = filter_form.filters()
    filters = IdeaFilters(
        tab=tab,
        status=chosen["status"],
        kind=chosen["kind"],
        service=chosen["service"],
        sort=chosen["sort"] or selectors.Sort.NEWEST,
    )
    page = selectors.paginate(selectors.idea_list(user, filters), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ideas/list.html",
        {
            "tab": tab,
            "tabs": [(name, TAB_LABELS[name]) for name in tabs],
            "filter_form": filter_form,
            "filtered": any(chosen[name] for name in ("status", "kind", "service")),
            "page": page,
            "query": query.urlencode(),
        },
    )


def _unit_choices(user: User) -> list[Any]:
    units = {m.organisation_id: m.organisation for m in user.memberships_with(VIEW_STAFF_PAGES)}
    return sorted(units.values(), key=lambda unit: unit.name().casefold())


def _form_page(
    request: HttpRequest, form: IdeaForm, *, idea: Idea | None = None, status: int = 200
) -> HttpResponse:
    chosen = form.chosen_service_ids()
    return render(
        request,
        "ideas/form.html",
        {
            "form": form,
            "idea": idea,
            # A group opens by itself when it holds a chosen service, so that none is hidden.
            "service_groups": [
                (group, any(service.pk in chosen for service in group.services))
                for group in selectors.service_choices()
            ],
            "chosen_services": chosen,
            "ask_unit": "author_unit" in form.fields,
            "show_personal_data_check": "personal_data_checked" in form.errors
            or form["personal_data_checked"].value(),
        },
        status=status,
    )


def _personal_data_error(form: Any, error: IdeaError) -> None:
    """Tie the service's error to its field; a suspected personal data asks for the check."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    if isinstance(error, PersonalDataSuspected):
        form.add_error("personal_data_checked", _("Confirm this after checking the text."))


@require_http_methods(["GET", "POST"])
@require_org_permission(VIEW_STAFF_PAGES)
def submit(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    units = _unit_choices(user)
    if request.method == "POST":
        form = IdeaForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                idea = services.submit_idea(
                    author=user,
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    services=list(data["services"]),
                    author_unit=data.get("author_unit"),
                    personal_data_checked=data["personal_data_checked"],
                )
            except IdeaError as error:
                _personal_data_error(form, error)
            else:
                _masked_message(request, f"{data['title']} {data['description']}")
                messages.success(
                    request, _("Your idea was saved. The managers of its services were told.")
                )
                return redirect("ideas:detail", idea.pk)
        return _form_page(request, form, status=400)
    preselected = Service.objects.filter(slug=request.GET.get("service", ""))
    form = IdeaForm(initial={"services": list(preselected)}, units=units)
    return _form_page(request, form)


def _masked_message(request: HttpRequest, text: str) -> None:
    if services.contains_identity_code(text):
        messages.warning(
            request,
            _("The text contained a personal identity code. It was masked before saving."),
        )


@require_http_methods(["GET", "POST"])
@require_org_permission(VIEW_STAFF_PAGES)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    idea = _idea_or_404(pk, user)
    if idea.author_id != user.pk:
        raise PermissionDenied
    if idea.status != Idea.Status.NEW:
        messages.error(request, _("The idea can no longer be edited: it has been decided on."))
        return redirect("ideas:detail", idea.pk)
    if request.method == "POST":
        form = IdeaForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_idea(
                    idea=idea,
                    editor=user,
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    services=list(data["services"]),
                    personal_data_checked=data["personal_data_checked"],
                )
            except IdeaError as error:
                _personal_data_error(form, error)
            else:
                _masked_message(request, f"{data['title']} {data['description']}")
                messages.success(request, _("Your changes were saved."))
                return redirect("ideas:detail", idea.pk)
        return _form_page(request, form, idea=idea, status=400)
    form = IdeaForm(
        initial={
            "kind": idea.kind,
            "title": idea.title,
            "description": idea.description,
            "services": list(idea.services.all()),
        }
    )
    return _form_page(request, form, idea=idea)


def _detail_page(
    request: HttpRequest,
    idea: Idea,
    *,
    comment_form: CommentForm | None = None,
    status_form: StatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _staff(request)
    may_decide = selectors.may_decide(user, idea)
    if may_decide and status_form is None and services.TRANSITIONS[idea.status]:
        status_form = StatusForm(current=idea.status)
    comment_form = comment_form or CommentForm()
    return render(
        request,
        "ideas/detail.html",
        {
            "idea": idea,
            "may_decide": may_decide,
            "may_edit": idea.author_id == user.pk and idea.status == Idea.Status.NEW,
            "may_support": idea.author_id != user.pk,
            "comment_form": comment_form,
            "show_comment_check": "personal_data_checked" in comment_form.errors
            or comment_form["personal_data_checked"].value(),
            "status_form": status_form,
        },
        status=status,
    )


@require_GET
@require_org_permission(VIEW_STAFF_PAGES)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _idea_or_404(pk, _staff(request)))


@require_POST
@require_org_permission(VIEW_STAFF_PAGES)
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    idea = _idea_or_404(pk, user)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(
                idea=idea,
                author=user,
                body=form.cleaned_data["body"],
                personal_data_checked=form.cleaned_data["personal_data_checked"],
            )
        except IdeaError as error:
            _personal_data_error(form, error)
        else:
            _masked_message(request, form.cleaned_data["body"])
            messages.success(request, _("Your comment was added."))
            return redirect("ideas:detail", idea.pk)
    return _detail_page(request, idea, comment_form=form, status=400)


@require_POST
@require_org_permission(VIEW_STAFF_PAGES)
def support(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    idea = _idea_or_404(pk, user)
    if request.POST.get("action") == "withdraw":
        services.withdraw_support(idea=idea, user=user)
        messages.success(request, _("Your support was withdrawn."))
    else:
        try:
            services.support_idea(idea=idea, user=user)
        except IdeaError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You support this idea."))
    return redirect("ideas:detail", idea.pk)


@require_POST
@require_org_permission(VIEW_STAFF_PAGES)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    idea = _idea_or_404(pk, user)
    if not selectors.may_decide(user, idea):
        raise PermissionDenied
    form = StatusForm(request.POST, current=idea.status)
    if form.is_valid():
        try:
            change = services.change_status(
                idea=idea,
                user=user,
                to_status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except IdeaError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("The idea is now %(status)s.") % {"status": Idea.Status(change.to_status).label},
            )
            return redirect("ideas:detail", idea.pk)
    return _detail_page(request, idea, status_form=form, status=400)
