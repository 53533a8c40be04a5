"""Forms for reporting an accessibility problem and answering one.

Errors are tied to their fields for screen readers: each invalid input gets `aria-invalid` and
an `aria-describedby` that points at its error message (and hint), and the page lists every
error in a summary at the top with links to the fields.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from luukku.core.forms import AccessibleFormMixin

MAX_DESCRIPTION_LENGTH = 5000


class FeedbackForm(AccessibleFormMixin, forms.Form):
    description = forms.CharField(
        label=_("What is the problem?"),
        help_text=_(
            "Tell us what you were trying to do and what did not work. "
            "For example: a button cannot be reached with the keyboard."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_DESCRIPTION_LENGTH,
        error_messages={"required": _("Describe the problem.")},
    )
    page_url = forms.CharField(
        label=_("On which page? (optional)"),
        help_text=_("The address or the name of the page."),
        required=False,
        max_length=500,
    )
    wants_answer = forms.BooleanField(
        label=_("I want an answer"),
        help_text=_("We answer by e-mail within 14 days."),
        required=False,
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Needed only if you want an answer."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter the e-mail address in the form name@example.fi.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (
            cleaned.get("wants_answer")
            and not cleaned.get("contact_email")
            and "contact_email" not in self.errors
        ):
            self.add_error(
                "contact_email", _("Give your e-mail address so that we can answer you.")
            )
        return cleaned


class AnswerForm(AccessibleFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        help_text=_("What was done or will be done, and when. Send it to the sender too."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_DESCRIPTION_LENGTH,
        error_messages={"required": _("Write the answer.")},
    )


def page_reference(candidate: str | None, *, host: str, exclude_prefix: str = "") -> str:
    """The path of a page on this site named by `next` or the Referer, or "" when unsafe.

    Only same-host http(s) addresses are kept, and only their path and query, so that a link
    from elsewhere cannot plant an address in the form; the feedback form itself is skipped.
    """
    if not candidate or len(candidate) > 500:
        return ""
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={host}):
        return ""
    parts = urlsplit(candidate)
    path = parts.path or "/"
    if not path.startswith("/") or (exclude_prefix and path.startswith(exclude_prefix)):
        return ""
    return f"{path}?{parts.query}" if parts.query else path
