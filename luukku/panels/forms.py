"""Forms for the sign-up and the staff pages. Field checks only: the panel's rules (ages,
guardian, duplicates) are in services.sign_up, whose errors the views attach to these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luukku.areas.demographics import CustomerType, Sex
from luukku.areas.models import Area
from luukku.catalogue.models import Domain, Service
from luukku.core.forms import AccessibleFormMixin
from luukku.organisations.models import Organisation

from .models import Panel, SelectionMember
from .services import MAX_SEED, default_ages

OLDEST_BIRTH_YEAR = 1900


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class AreaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class SignUpForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Give your name.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send the invitation to the panel to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Give your e-mail address."),
            "invalid": _("Enter the e-mail address in the form name@example.fi."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        help_text=_("For example 1980. We ask only the year."),
        min_value=OLDEST_BIRTH_YEAR,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
        error_messages={
            "required": _("Give your year of birth."),
            "invalid": _("Write the year of birth in numbers, for example 1980."),
            "min_value": _("Check the year of birth."),
        },
    )
    municipality = AreaChoiceField(
        label=_("Home municipality"),
        queryset=Area.objects.none(),
        empty_label=_("Choose"),
        error_messages={"required": _("Choose your home municipality.")},
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one.")},
    )
    customer_type = forms.ChoiceField(
        label=_("I take part as"),
        choices=CustomerType.choices,
        initial=CustomerType.PERSON,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one.")},
    )
    interests = forms.MultipleChoiceField(
        label=_("Services I am interested in (optional)"),
        choices=Domain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_given = forms.BooleanField(label=_("I agree to the terms above"), required=False)
    consent_id = forms.IntegerField(widget=forms.HiddenInput)
    guardian_name = forms.CharField(
        label=_("Guardian's name"),
        required=False,
        max_length=200,
    )
    guardian_email = forms.EmailField(
        label=_("Guardian's e-mail address"),
        required=False,
        error_messages={"invalid": _("Enter the e-mail address in the form name@example.fi.")},
    )
    guardian_consent_given = forms.BooleanField(
        label=_("I am the guardian and I agree to the terms above"), required=False
    )
    guardian_consent_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, municipalities: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]

    def clean_birth_year(self) -> int:
        year: int = self.cleaned_data["birth_year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("Check the year of birth."))
        return year


class PanelForm(AccessibleFormMixin, forms.ModelForm):
    municipalities = AreaMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Area.objects.filter(area_type=Area.Type.MUNICIPALITY),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the whole region."),
    )

    class Meta:
        model = Panel
        fields = [
            "organisation",
            "name_fi",
            "name_sv",
            "name_en",
            "description_fi",
            "description_sv",
            "description_en",
            "kind",
            "min_age",
            "max_age",
            "size",
            "signup_until",
            "retention_days",
        ]
        widgets = {
            "signup_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description_fi": forms.Textarea(attrs={"rows": 4}),
            "description_sv": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "min_age": _("Empty: 15 for a customer panel, 13 for a youth panel."),
            "max_age": _("Empty: no upper limit (29 for a youth panel)."),
        }

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["min_age"].required = False
        if self.instance.pk:
            self.fields["municipalities"].initial = list(self.instance.municipalities.all())

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        low, high = default_ages(cleaned.get("kind") or Panel.Kind.CUSTOMER)
        if cleaned.get("min_age") is None:
            cleaned["min_age"] = low
            if cleaned.get("max_age") is None:
                cleaned["max_age"] = high
        if cleaned.get("max_age") is not None and cleaned["max_age"] < cleaned["min_age"]:
            self.add_error("max_age", _("The maximum age must not be below the minimum age."))
        return cleaned

    def _post_clean(self) -> None:
        # services.save_panel applies and validates the fields: it must see the panel as it
        # was (a drawn panel's size may not change), so the form leaves the instance alone.
        return None


class DrawForm(AccessibleFormMixin, forms.Form):
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        help_text=_(
            "Leave empty to draw a new random seed. To repeat a published draw, give its seed."
        ),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("The seed is a whole number, for example 483920175562."),
            "min_value": _("The seed is a whole number from 0 to 999999999999."),
            "max_value": _("The seed is a whole number from 0 to 999999999999."),
        },
    )


class WithdrawForm(forms.Form):
    replace = forms.BooleanField(required=False)


class SessionForm(AccessibleFormMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        help_text=_("Date and time, for example 2026-03-12 17:30."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Give the date and time."),
            "invalid": _("Give the date and time, for example 2026-03-12 17:30."),
        },
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, error_messages={"required": _("Give the place.")}
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Seat %(position)s") % {"position": obj.position})


class AttendanceForm(forms.Form):
    present = MemberChoiceField(
        label=_("Present"),
        queryset=SelectionMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, members: QuerySet[SelectionMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = members  # type: ignore[attr-defined]


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class RecommendationForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Recommendation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the recommendation.")},
    )
    services = ServiceChoiceField(
        label=_("Services it concerns"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services  # type: ignore[attr-defined]


class ResponseForm(AccessibleFormMixin, forms.Form):
    response = forms.CharField(
        label=_("Response"),
        help_text=_("What will be done, by whom and when; or why not."),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    publish = forms.BooleanField(label=_("Publish the recommendation and response"), required=False)
