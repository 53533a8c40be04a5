"""Staff login, logout and home. Residents never log in here."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


class LoginView(auth_views.LoginView):
    """Django's login with our template; django-axes throttles it (settings.AXES_*)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logout by POST only (Django's default since 5.0), so a link or image cannot log one out."""

    http_method_names = ["post", "options"]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": selectors.memberships_of(user),  # type: ignore[arg-type]
            "links": selectors.staff_links(user),  # type: ignore[arg-type]
        },
    )
