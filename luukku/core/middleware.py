"""Language choice for the admin, which lives outside the language-prefixed URLs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    """Let the admin follow the staff member's language: the language cookie, then the browser.

    The public pages carry their language in the URL (none for Finnish, /sv/, /en/), so
    LocaleMiddleware treats every unprefixed path as Finnish. The admin has no prefix, and
    Swedish-speaking staff keeping the catalogue would otherwise always get the Finnish admin.
    Must come right after LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(reverse("admin:index")):
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
