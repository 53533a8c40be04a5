"""Signals from lower apps that start survey work. Filled in by invitations.py's owner."""

from __future__ import annotations


def connect() -> None:
    """Connect the receivers; called once from SurveysConfig.ready()."""
