"""Signals cases send upwards; higher apps (surveys) connect receivers, cases never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per closing, after the transaction that closed the case has committed, with the
# keyword argument `case` (a Case). The post-service feedback survey starts from it.
case_closed = Signal()
