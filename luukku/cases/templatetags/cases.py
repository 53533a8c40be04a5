"""Template helpers of the case pages, in Python: a queue page renders one per row."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from luukku.core.masking import mask_personal_data

register = template.Library()


@register.simple_tag(takes_context=True)
def next_action(context: Any, on: date | None) -> SafeString | str:
    """The date (d.m.yyyy as everywhere in Finland), marked overdue (in words too, not only by
    colour) or due today. Today is read once per page: a queue renders this for every row."""
    if on is None:
        return "–"
    today = context.render_context.get("cases_today")
    if today is None:
        today = context.render_context["cases_today"] = timezone.localdate()
    shown = f"{on.day}.{on.month}.{on.year}"
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


@register.filter
def masked(text: str) -> str:
    """Identity codes, phone numbers and e-mail addresses in a customer's free text, masked."""
    return mask_personal_data(text)
