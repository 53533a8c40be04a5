"""Template helpers for the staff pages."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(value: timedelta | None) -> int:
    """A wait rounded up to whole minutes, so "try again in 0 minutes" never shows."""
    if value is None:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
