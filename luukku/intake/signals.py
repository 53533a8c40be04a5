"""Signals intake sends upwards: the hand-off points for higher apps (cases) and side effects.

Intake sits below `cases` and never imports it: a higher app connects a receiver here instead.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per new request, after the transaction that created it has committed, with the
# keyword argument `request` (a ServiceRequest). Retried submissions do not send it again.
# Receivers: the e-mail confirmation task, and later the case that starts from this request.
request_submitted = Signal()

# Sent after commit when a request's state changes, with `request` and `event` (a RequestEvent).
request_progressed = Signal()
