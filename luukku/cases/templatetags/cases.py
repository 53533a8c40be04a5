"""Template helpers of the case pages, in Python: a queue page renders one per row."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def next_action(on: date | None) -> SafeString | str:
    """The date, marked overdue (in words too, not only by colour) or due today."""
    if on is None:
        return "–"
    shown = formats.date_format(on, "j.n.Y")
    today = timezone.localdate()
    if on < today:
        return format_html(
            '<span class="status--overdue">{} <span class="tag">{}</span></span>',
            shown,
            _("overdue"),
        )
    if on == today:
        return format_html(
            '<span class="status--due-soon">{} <span class="tag">{}</span></span>',
            shown,
            _("today"),
        )
    return shown
