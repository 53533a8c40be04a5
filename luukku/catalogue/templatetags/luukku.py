"""Template helpers shared by every public page: the language switch and localised labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info, pgettext_lazy

from luukku.catalogue import selectors
from luukku.catalogue.models import Service, ServiceOrganisation
from luukku.catalogue.selectors import TierBadge

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    is_current: bool


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[LanguageLink]:
    """Links to this same page (path and query) in each site language, current one first-class.

    Plain links, so the switch works without JavaScript; `translate_url` swaps the language
    prefix and keeps the query string.
    """
    request: HttpRequest | None = context.get("request")
    current = get_language() or settings.LANGUAGE_CODE
    here = request.get_full_path() if request is not None else "/"
    links = []
    for code, _name in settings.LANGUAGES:
        links.append(
            LanguageLink(
                code=code,
                name=get_language_info(code)["name_local"],
                url=translate_url(here, code),
                is_current=code == current,
            )
        )
    return links


@register.simple_tag
def localised(obj: Any, method: str = "name") -> str:
    """`obj.<method>(language)` in the active language: labels of code-list entries and areas."""
    return str(getattr(obj, method)(get_language() or settings.LANGUAGE_CODE))


@register.filter
def service_tiers(service: Service) -> list[TierBadge]:
    """The tier badges of a service whose channels are prefetched."""
    return selectors.service_tiers(service.channels.all())


# The public pages word these for residents; the model labels are PTV's terms for staff.
PROVISION_LABELS: dict[str, StrPromise] = {
    ServiceOrganisation.ProvisionType.SELF_PRODUCED: pgettext_lazy(
        "provision type", "produced in-house"
    ),
    ServiceOrganisation.ProvisionType.PURCHASED: pgettext_lazy(
        "provision type", "purchased service"
    ),
    ServiceOrganisation.ProvisionType.OTHER: pgettext_lazy("provision type", "other arrangement"),
}
CHARGE_LABELS: dict[str, StrPromise] = {
    Service.ChargeType.FREE: pgettext_lazy("charge", "Free of charge"),
    Service.ChargeType.CHARGED: pgettext_lazy("charge", "Charged"),
    Service.ChargeType.OTHER: pgettext_lazy("charge", "See the description"),
}


@register.filter
def provision_label(code: str) -> str:
    return str(PROVISION_LABELS.get(code, code))


@register.filter
def charge_label(code: str) -> str:
    return str(CHARGE_LABELS.get(code, code))


@register.filter
def web_url(value: str) -> str:
    """The address only if it is http(s): imported data must not smuggle in javascript: links."""
    return value if value.lower().startswith(("https://", "http://")) else ""
