"""What the ideas hold about a staff member: the ideas, comments and support they gave, and the
decisions they made.

Erasing changes nothing here: an idea belongs to the service, not to its author (the model says
so), and the rows point at the account, which the accounts app pseudonymises. What a staff
member wrote stays, attributed to the pseudonym.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from luukku.core import gdpr
from luukku.core.gdpr import Kind, Person, Record

from .models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport

KINDS = (
    Kind(
        key="staff_ideas",
        models=(
            "ideas.Idea",
            "ideas.IdeaComment",
            "ideas.IdeaSupport",
            "ideas.IdeaStatusChange",
        ),
        description="Staff: ideas and needs written, comments, support and decisions given.",
        purpose="Developing the services from what staff see.",
        legal_basis="Public task (GDPR 6(1)(e)); the employer's legitimate interest.",
        retention="Kept with the service's development history; an erased author stays as a "
        "pseudonymous account.",
    ),
)


def _of(username: str) -> dict[str, Any]:
    return {
        "ideas": Idea.objects.filter(author__username=username),
        "comments": IdeaComment.objects.filter(author__username=username),
        "supports": IdeaSupport.objects.filter(user__username=username),
        "decisions": IdeaStatusChange.objects.filter(changed_by__username=username),
    }


def find(person: Person) -> list[Record]:
    if not person.username:
        return []
    return [
        Record.of("staff_ideas", row)
        for queryset in _of(person.username).values()
        for row in queryset.order_by("pk")
    ]


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    if not person.username:
        return {}
    of = _of(person.username)
    rows = (
        [{"type": "idea"} | gdpr.row(i, ("kind", "title", "description", "status", "created_at"))
         for i in of["ideas"].order_by("pk")]
        + [{"type": "comment", "idea": c.idea.title} | gdpr.row(c, ("body", "created_at"))
           for c in of["comments"].select_related("idea").order_by("pk")]
        + [{"type": "support", "idea": s.idea.title} | gdpr.row(s, ("created_at",))
           for s in of["supports"].select_related("idea").order_by("pk")]
        + [{"type": "status_change", "idea": d.idea.title}
           | gdpr.row(d, ("from_status", "to_status", "reason", "changed_at"))
           for d in of["decisions"].select_related("idea").order_by("pk")]
    )  # fmt: skip
    return {"staff_ideas": rows}


def erase(person: Person, now: datetime) -> dict[str, int]:
    return {}


gdpr.register(gdpr.Provider(app_label="ideas", kinds=KINDS, find=find, export=export, erase=erase))
