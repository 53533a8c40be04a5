"""The project's URLconf plus one staff view that forgot its permission check.

test_permission_matrix.py points ROOT_URLCONF here to prove that the matrix notices such a view:
first as a URL pattern without a rule, then, given a rule, as rows that let the wrong people in.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from luukku.cases.models import Case
from luukku.urls import urlpatterns as project_urlpatterns


def unprotected_case(request: HttpRequest, reference: str) -> HttpResponse:
    """A case's title for anyone who asks: no login, no role, no organisation check."""
    case = get_object_or_404(Case, reference=reference)
    return HttpResponse(case.title)


urlpatterns = [
    path("staff/unprotected/<str:reference>/", unprotected_case, name="unprotected_case"),
    *project_urlpatterns,
]
