"""Forms for staff ideas. They check the shape of the input; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luukku.catalogue.models import Service
from luukku.core.forms import AccessibleFormMixin
from luukku.organisations.models import Organisation

from .models import Idea
from .selectors import Sort
from .services import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, TRANSITIONS

PERSONAL_DATA_CHECK_LABEL = _(
    "I have checked the text: it contains no customer's name, contact details or other "
    "personal data."
)


class IdeaForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you logging?"),
        choices=Idea.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "An idea is how a service could work better; an observed need is something "
            "customers need that the service does not meet."
        ),
        error_messages={"required": _("Choose whether this is an idea or an observed need.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("The idea or the need in a few words."),
        error_messages={"required": _("Give the idea a short title.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            "What did you see, how often, and what would help? Describe situations, not "
            "persons: do not write customers' names, contact details or identity codes here."
        ),
        error_messages={"required": _("Describe the idea or what you observed.")},
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services the idea is about"),
        queryset=Service.objects.all(),
        help_text=_(
            "Choose at least one. The managers of these services see the idea and decide on it."
        ),
        error_messages={
            "required": _("Choose at least one service the idea is about."),
            "invalid_choice": _("A chosen service no longer exists: choose again."),
        },
    )
    author_unit = forms.ModelChoiceField(
        label=_("Your unit"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=None,
        help_text=_("Where you work: it helps the managers see where the idea comes from."),
    )
    personal_data_checked = forms.BooleanField(label=PERSONAL_DATA_CHECK_LABEL, required=False)

    def __init__(self, *args: Any, units: list[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None or len(units) < 2:
            # Editing, or only one unit to choose from: the service picks it.
            del self.fields["author_unit"]
        else:
            unit_field: forms.ModelChoiceField[Organisation] = self.fields["author_unit"]  # type: ignore[assignment]
            unit_field.queryset = Organisation.objects.filter(pk__in=[u.pk for u in units])

    def chosen_service_ids(self) -> set[int]:
        """The services ticked in the form as sent (or initially), for re-showing the boxes."""
        if self.is_bound:
            sent = self["services"].value() or []
            return {int(v) for v in sent if str(v).isdigit()}
        initial = self.initial.get("services") or []
        return {s.pk if isinstance(s, Service) else int(s) for s in initial}


class CommentForm(AccessibleFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Add what you have seen, or how the idea could be tried. No customer data."),
        error_messages={"required": _("Write the comment.")},
    )
    personal_data_checked = forms.BooleanField(label=PERSONAL_DATA_CHECK_LABEL, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment_%s")
        super().__init__(*args, **kwargs)


class StatusForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the new status.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required when adopting or declining. The author is told the decision and the reason."
        ),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "decision_%s")
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[current]
        status_field: forms.ChoiceField = self.fields["status"]  # type: ignore[assignment]
        status_field.choices = [(v, label) for v, label in Idea.Status.choices if v in allowed]


class FilterForm(forms.Form):
    """The list page's filters (GET); an unknown value is ignored rather than an error."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Idea.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Ideas and needs")), *Idea.Kind.choices], required=False
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=[(Sort.NEWEST, _("Newest first")), (Sort.SUPPORT, _("Most supported first"))],
        required=False,
    )

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        service_field: forms.ChoiceField = self.fields["service"]  # type: ignore[assignment]
        service_field.choices = [("", _("All services")), *services]

    def filters(self) -> dict[str, str]:
        """The valid filters; a field with an unknown value counts as not filtered."""
        self.is_valid()
        return {name: str(self.cleaned_data.get(name) or "") for name in self.fields}
