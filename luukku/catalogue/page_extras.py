"""Links other apps add to a service page ("Give feedback on this service"), without the
catalogue importing them: a higher app registers a provider in its AppConfig.ready().

A provider gets the service and returns its links; the service page is performance sensitive,
so a provider must answer in at most one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Service


@dataclass(frozen=True)
class PageLink:
    text: str
    url: str
    description: str = ""


LinkProvider = Callable[[Service], list[PageLink]]
_providers: list[LinkProvider] = []


def register(provider: LinkProvider) -> LinkProvider:
    """Add a provider (once, however often an app's ready() runs)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def links_for(service: Service) -> list[PageLink]:
    return [link for provider in _providers for link in provider(service)]
