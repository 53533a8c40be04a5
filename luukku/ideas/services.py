"""Writes for staff ideas: submit, edit, comment, support, decide.

Every write runs in one transaction and leaves a row that says what happened (the status
history). The managers of an idea's services hear of a new idea in-app, and the author hears of
each decision, in the same transaction: a rolled-back change notifies nobody.

Ideas are about services, not about customers. Staff must not paste a customer's details into
them: personal identity codes are always masked, and a text that looks like it holds a phone
number or an e-mail address is refused until the writer confirms they are not a customer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from luukku.accounts.models import User
from luukku.accounts.permissions import has_permission
from luukku.accounts.roles import VIEW_STAFF_PAGES
from luukku.catalogue.models import Service
from luukku.core.masking import mask_identity_codes, mask_personal_data
from luukku.notifications.models import Notification
from luukku.notifications.services import notify
from luukku.organisations.models import Organisation

from . import selectors
from .models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport

TITLE_MAX_LENGTH = Idea._meta.get_field("title").max_length or 200
TEXT_MAX_LENGTH = 5000

# The allowed moves, in one place. A declined idea may be taken up again (back to new) when
# circumstances change; an adopted one is done.
TRANSITIONS: dict[str, frozenset[str]] = {
    Idea.Status.NEW: frozenset(
        {Idea.Status.IN_EXPERIMENT, Idea.Status.ADOPTED, Idea.Status.DECLINED}
    ),
    Idea.Status.IN_EXPERIMENT: frozenset({Idea.Status.ADOPTED, Idea.Status.DECLINED}),
    Idea.Status.ADOPTED: frozenset(),
    Idea.Status.DECLINED: frozenset({Idea.Status.NEW}),
}
# The author and everyone reading the idea deserve to know why.
REASON_REQUIRED = frozenset({Idea.Status.ADOPTED, Idea.Status.DECLINED})


class IdeaError(ValueError):
    """A write that cannot be done; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class PersonalDataSuspected(IdeaError):
    """The text looks like it holds a phone number or an e-mail address: the writer must
    confirm these are not a customer's (a service point's public number is fine)."""


def contains_identity_code(text: str) -> bool:
    return mask_identity_codes(text) != text


def _checked_text(
    text: str, *, field: str, required_message: str, personal_data_checked: bool
) -> str:
    """The text as stored: stripped, identity codes masked, refused while it seems to hold
    other personal data that the writer has not confirmed."""
    text = mask_identity_codes(text.strip())
    if not text:
        raise IdeaError(field, required_message)
    if len(text) > TEXT_MAX_LENGTH:
        raise IdeaError(
            field,
            _("Shorten the text to %(max)d characters (now %(length)d).")
            % {"max": TEXT_MAX_LENGTH, "length": len(text)},
        )
    if not personal_data_checked and mask_personal_data(text) != text:
        raise PersonalDataSuspected(
            field,
            _(
                "The text seems to contain a phone number or an e-mail address. Remove any "
                "customer's details, or confirm that they are not a customer's."
            ),
        )
    return text


def _require_staff(user: User) -> None:
    if not has_permission(user, VIEW_STAFF_PAGES):
        raise PermissionDenied


def _validated_fields(
    *, kind: str, title: str, services: Sequence[Service]
) -> tuple[str, list[Service]]:
    if kind not in Idea.Kind.values:
        raise IdeaError("kind", _("Choose whether this is an idea or an observed customer need."))
    title = mask_identity_codes(" ".join(title.split()))
    if not title:
        raise IdeaError("title", _("Give the idea a short title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise IdeaError(
            "title", _("Shorten the title to %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
        )
    unique = list({service.pk: service for service in services}.values())
    if not unique:
        raise IdeaError("services", _("Choose at least one service the idea is about."))
    return title, unique


def _default_unit(author: User) -> Organisation | None:
    memberships = author.memberships_with(VIEW_STAFF_PAGES)
    return memberships[0].organisation if memberships else None


@transaction.atomic
def submit_idea(
    *,
    author: User,
    kind: str,
    title: str,
    description: str,
    services: Sequence[Service],
    author_unit: Organisation | None = None,
    personal_data_checked: bool = False,
) -> Idea:
    """Log a new idea or observed need and tell the services' managers about it."""
    _require_staff(author)
    title, chosen = _validated_fields(kind=kind, title=title, services=services)
    description = _checked_text(
        description,
        field="description",
        required_message=_("Describe the idea or what you observed."),
        personal_data_checked=personal_data_checked,
    )
    if author_unit is None:
        author_unit = _default_unit(author)
    elif not has_permission(author, VIEW_STAFF_PAGES, author_unit):
        raise IdeaError("author_unit", _("Choose one of your own organisations."))
    now = timezone.now()
    idea = Idea.objects.create(
        kind=kind,
        title=title,
        description=description,
        author=author,
        author_unit=author_unit,
        status_changed_at=now,
    )
    idea.services.set(chosen)
    IdeaStatusChange.objects.create(
        idea=idea, changed_by=author, from_status="", to_status=Idea.Status.NEW, changed_at=now
    )
    _tell_managers(idea, [service.pk for service in chosen], exclude=author)
    return idea


@transaction.atomic
def update_idea(
    *,
    idea: Idea,
    editor: User,
    kind: str,
    title: str,
    description: str,
    services: Sequence[Service],
    personal_data_checked: bool = False,
) -> Idea:
    """The author corrects the idea while nobody has decided on it yet. Managers of services
    added now hear of it as a new idea for them."""
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.author_id != editor.pk:
        raise PermissionDenied
    if locked.status != Idea.Status.NEW:
        raise IdeaError(
            "__all__", _("The idea can no longer be edited: it has already been decided on.")
        )
    title, chosen = _validated_fields(kind=kind, title=title, services=services)
    description = _checked_text(
        description,
        field="description",
        required_message=_("Describe the idea or what you observed."),
        personal_data_checked=personal_data_checked,
    )
    before = set(locked.services.values_list("pk", flat=True))
    locked.kind, locked.title, locked.description = kind, title, description
    locked.save(update_fields=["kind", "title", "description", "updated_at"])
    locked.services.set(chosen)
    added = [service.pk for service in chosen if service.pk not in before]
    if added:
        already_told = set(selectors.service_managers(before).values_list("pk", flat=True))
        _tell_managers(locked, added, exclude=editor, skip_ids=already_told)
    return locked


@transaction.atomic
def add_comment(
    *, idea: Idea, author: User, body: str, personal_data_checked: bool = False
) -> IdeaComment:
    _require_staff(author)
    body = _checked_text(
        body,
        field="body",
        required_message=_("Write the comment."),
        personal_data_checked=personal_data_checked,
    )
    return IdeaComment.objects.create(idea=idea, author=author, body=body)


def support_idea(*, idea: Idea, user: User) -> bool:
    """Back the idea; True when this added a support, False when the user already backed it."""
    _require_staff(user)
    if idea.author_id == user.pk:
        raise IdeaError("__all__", _("You cannot support your own idea."))
    try:
        # A savepoint: a double click racing itself must not break the caller's transaction.
        with transaction.atomic():
            IdeaSupport.objects.create(idea=idea, user=user)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def withdraw_support(*, idea: Idea, user: User) -> bool:
    """True when the user's support was withdrawn, False when there was none."""
    deleted, _rows = IdeaSupport.objects.filter(idea=idea, user=user).delete()
    return bool(deleted)


@transaction.atomic
def change_status(*, idea: Idea, user: User, to_status: str, reason: str = "") -> IdeaStatusChange:
    """Decide on the idea. Only a manager of one of its services (or the region admin) may;
    adopting or declining needs a reason, which the author is told with the decision."""
    if not selectors.may_decide(user, idea):
        raise PermissionDenied
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if to_status not in Idea.Status.values:
        raise IdeaError("status", _("Choose a status."))
    if to_status not in TRANSITIONS[locked.status]:
        raise IdeaError(
            "status",
            _("An idea that is %(current)s cannot be moved to %(wanted)s.")
            % {
                "current": Idea.Status(locked.status).label,
                "wanted": Idea.Status(to_status).label,
            },
        )
    reason = mask_identity_codes(reason.strip())
    if to_status in REASON_REQUIRED and not reason:
        raise IdeaError(
            "reason",
            _("Give the reason for the decision: the author and everyone reading it need it."),
        )
    if len(reason) > TEXT_MAX_LENGTH:
        raise IdeaError(
            "reason", _("Shorten the reason to %(max)d characters.") % {"max": TEXT_MAX_LENGTH}
        )
    now = timezone.now()
    change = IdeaStatusChange.objects.create(
        idea=locked,
        changed_by=user,
        from_status=locked.status,
        to_status=to_status,
        reason=reason,
        changed_at=now,
    )
    locked.status, locked.decision_reason, locked.status_changed_at = to_status, reason, now
    locked.save(update_fields=["status", "decision_reason", "status_changed_at", "updated_at"])
    author = locked.author
    if author is not None and author.pk != user.pk and author.is_active:
        notify(
            kind="idea_status_changed",
            subject=_("Your idea is now %(status)s: %(title)s")
            % {"status": Idea.Status(to_status).label, "title": locked.title},
            body=_("Reason: %(reason)s\n%(path)s")
            % {"reason": reason or "–", "path": _idea_path(locked)},
            recipient=author,
            channel=Notification.Channel.IN_APP,
        )
    return change


def _idea_path(idea: Idea) -> str:
    return reverse("ideas:detail", args=[idea.pk])


def _tell_managers(
    idea: Idea,
    service_ids: Iterable[int],
    *,
    exclude: User,
    skip_ids: Iterable[int] = (),
) -> None:
    """Tell the managers of these services, in-app, that an idea about them arrived."""
    skip = {exclude.pk, *skip_ids}
    for manager in selectors.service_managers(service_ids):
        if manager.pk in skip:
            continue
        notify(
            kind="idea_submitted",
            subject=_("New idea about your services: %(title)s") % {"title": idea.title},
            body=_("%(kind)s by a colleague. Read it and decide on it: %(path)s")
            % {"kind": capfirst(Idea.Kind(idea.kind).label), "path": _idea_path(idea)},
            recipient=manager,
            channel=Notification.Channel.IN_APP,
            dedupe_key=f"idea_submitted:{idea.pk}:{manager.pk}",
        )
