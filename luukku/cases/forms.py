"""Staff forms for case work. They check input; the rules themselves live in services.py.

Every form uses AccessibleFormMixin so that hints and errors are tied to their fields. Choices
of people and units are built from role memberships, so a new owner is always picked together
with the unit they hold HANDLE_CASES in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luukku.accounts.models import Membership
from luukku.accounts.roles import HANDLE_CASES, ROLE_PERMISSIONS
from luukku.areas.models import Area
from luukku.catalogue.models import Service, ServiceText
from luukku.core.forms import AccessibleFormMixin
from luukku.core.identifiers import validate_business_id, validate_identity_code
from luukku.organisations.models import Organisation

from .models import Case, Channel, Consent, Customer, Note, Sensitivity, Task

# Channels staff log by hand; feedback comes in through intake, chat later.
STAFF_CHANNELS = [
    (value, label)
    for value, label in Channel.choices
    if value in (Channel.PHONE, Channel.WALK_IN, Channel.MOBILE_VAN, Channel.EMAIL)
]


# Where a customer update can come from, the most common first.
UPDATE_CHANNELS = [
    (value, Channel(value).label)
    for value in (
        Channel.PHONE,
        Channel.WALK_IN,
        Channel.MOBILE_VAN,
        Channel.EMAIL,
        Channel.CHAT,
        Channel.FEEDBACK,
    )
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _not_in_past(value: Any) -> None:
    if value is not None and value < timezone.localdate():
        raise ValidationError(_("The next action date cannot be in the past."), code="past")


def case_handler_memberships() -> QuerySet[Membership]:
    """Memberships whose role lets the user own cases: the choices for a new owner."""
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if HANDLE_CASES in permissions]
    return (
        Membership.objects.filter(role__in=roles, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("organisation__name_fi", "user__last_name", "user__first_name", "pk")
    )


class _MembershipChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.user.get_full_name() or obj.user.get_username()
        return f"{name} ({obj.organisation.name()})"


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class _ServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class _MunicipalityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


def services_with_names() -> QuerySet[Service]:
    return Service.objects.prefetch_related(
        Prefetch("texts", queryset=ServiceText.objects.filter(kind=ServiceText.Kind.NAME))
    ).order_by("slug")


class OpenCaseForm(AccessibleFormMixin, forms.Form):
    """A matter staff log from a phone call, a visit at the service point or the van, or email."""

    channel = forms.ChoiceField(
        label=_("How did the customer contact us?"),
        choices=STAFF_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the customer contacted us.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("The customer's matter in a few words."),
        error_messages={"required": _("Write a title for the matter.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What does the customer need? Do not write personal identity codes here."),
    )
    customer_kind = forms.ChoiceField(
        label=_("Customer type"),
        choices=Customer.Kind.choices,
        initial=Customer.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    customer_name = forms.CharField(
        label=_("Customer's name"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for an anonymous contact."),
    )
    identity_code = forms.CharField(
        label=_("Personal identity code"),
        max_length=11,
        required=False,
        help_text=_("Persons only, optional. Stored only as a keyed hash and shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    business_id = forms.CharField(
        label=_("Business ID"),
        max_length=10,
        required=False,
        help_text=_("Companies, communities and partners, for example 1234567-8."),
    )
    email = forms.EmailField(label=_("Customer's email"), required=False)
    phone = forms.CharField(label=_("Customer's phone number"), max_length=40, required=False)
    municipality = _MunicipalityChoice(
        label=_("Customer's municipality"),
        queryset=Area.objects.filter(area_type=Area.Type.MUNICIPALITY).order_by("name_fi"),
        required=False,
        empty_label=_("Not known"),
    )
    language = forms.ChoiceField(
        label=_("Customer's language"),
        choices=[("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))],
        initial="fi",
    )
    owner_unit = _OrganisationChoice(
        label=_("Your unit"),
        queryset=Organisation.objects.none(),
        help_text=_("You become the owner of the case for this unit."),
        error_messages={"required": _("Choose the unit you act for.")},
    )
    next_action_on = forms.DateField(
        label=_("Next action"),
        required=False,
        widget=DateInput,
        validators=[_not_in_past],
        help_text=_("When should something happen next? Empty: by the service level."),
    )

    def __init__(self, *args: Any, units: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["owner_unit"]
        field.queryset = units
        if units.count() == 1:
            field.initial = units.first()

    def clean_identity_code(self) -> str:
        value: str = self.cleaned_data.get("identity_code", "").strip()
        return validate_identity_code(value) if value else ""

    def clean_business_id(self) -> str:
        value: str = self.cleaned_data.get("business_id", "").strip()
        return validate_business_id(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("customer_kind")
        if data.get("identity_code") and kind != Customer.Kind.PERSON:
            self.add_error(
                "identity_code", _("Only a person has a personal identity code; clear it.")
            )
        if data.get("business_id") and kind == Customer.Kind.PERSON:
            self.add_error(
                "business_id", _("A person has no business ID; choose the customer type.")
            )
        if (
            kind == Customer.Kind.COMPANY
            and data.get("customer_name")
            and not data.get("business_id")
            and "business_id" not in self.errors
        ):
            self.add_error("business_id", _("Write the company's business ID."))
        has_details = any(data.get(f) for f in ("identity_code", "business_id", "email", "phone"))
        if has_details and not data.get("customer_name"):
            self.add_error("customer_name", _("Write the customer's name."))
        return data


class AddTaskForm(AccessibleFormMixin, forms.Form):
    """A service need of the case: the router's suggestion or any service, and its producer."""

    suggested = forms.ChoiceField(
        label=_("Suggested services"),
        required=False,
        widget=forms.RadioSelect,
        choices=[],
    )
    service = _ServiceChoice(
        label=_("Or choose a service"),
        queryset=Service.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("(none)"),
    )
    organisation = _OrganisationChoice(
        label=_("Producing unit"),
        queryset=Organisation.objects.order_by("name_fi"),
        required=False,
        empty_label=_("The producer of the service"),
        help_text=_("Needed when the service has several producers."),
    )
    description = forms.CharField(
        label=_("What the customer needs"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sensitivity = forms.ChoiceField(
        label=_("Content"),
        choices=Sensitivity.choices,
        initial=Sensitivity.GENERAL,
        widget=forms.RadioSelect,
        help_text=_("Social and health care content is shown only to the professionals entitled."),
    )
    next_action_on = forms.DateField(
        label=_("Next action"), required=False, widget=DateInput, validators=[_not_in_past]
    )

    def __init__(self, *args: Any, suggestions: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = {suggestion.slug: suggestion for suggestion in suggestions}
        suggested: Any = self.fields["suggested"]
        suggested.choices = [
            (
                slug,
                f"{s.name} – {s.organisation.name() if s.organisation else '–'} "
                f"({round(s.confidence * 100)} %)",
            )
            for slug, s in self.suggestions.items()
        ]
        if not self.suggestions:
            del self.fields["suggested"]
        service: Any = self.fields["service"]
        service.queryset = services_with_names()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service = data.get("service")
        organisation = data.get("organisation")
        suggestion = self.suggestions.get(data.get("suggested") or "")
        if service is None and suggestion is not None:
            service = suggestion.service
            organisation = organisation or suggestion.organisation
        if service is None:
            self.add_error(
                "service", _("Choose one of the suggested services or a service from the list.")
            )
            return data
        if organisation is None:
            producers = list(
                Organisation.objects.filter(service_roles__service=service).distinct()[:2]
            )
            if len(producers) != 1:
                self.add_error(
                    "organisation",
                    _("The service has several producers or none listed; choose the unit."),
                )
                return data
            organisation = producers[0]
        data["service"] = service
        data["organisation"] = organisation
        return data


class OwnerChoiceMixin(forms.Form):
    new_owner = _MembershipChoice(
        label=_("New owner"),
        queryset=Membership.objects.none(),
        help_text=_("A person and the unit they handle cases for."),
        error_messages={"required": _("Choose the new owner.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["new_owner"]
        field.queryset = case_handler_memberships()


class TransferForm(AccessibleFormMixin, OwnerChoiceMixin):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why is the case handed over? The customer's contact person changes."),
        error_messages={"required": _("Write why the case is handed over.")},
    )
    # The owner the form was shown with: if someone else transferred the case meanwhile, the
    # service refuses instead of silently overriding their change.
    expected_owner = forms.IntegerField(widget=forms.HiddenInput)


class TakeOwnershipForm(AccessibleFormMixin, forms.Form):
    unit = _OrganisationChoice(
        label=_("Your unit"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("Choose the unit you act for.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        help_text=_("Optional; the timeline records who took the case and when."),
    )
    expected_owner = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["unit"]
        field.queryset = units


class NoteForm(AccessibleFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the note.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who sees the note"),
        choices=Note.Visibility.choices,
        initial=Note.Visibility.INTERNAL,
        widget=forms.RadioSelect,
    )
    sensitivity = forms.ChoiceField(
        label=_("Content"),
        choices=Sensitivity.choices,
        initial=Sensitivity.GENERAL,
        widget=forms.RadioSelect,
    )
    task = forms.ModelChoiceField(
        label=_("About the service need"),
        queryset=Task.objects.none(),
        required=False,
        empty_label=_("The whole case"),
    )

    def __init__(self, *args: Any, tasks: Iterable[Task] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["task"]
        task_ids = [task.pk for task in tasks]
        field.queryset = Task.objects.filter(pk__in=task_ids).select_related("case", "service")
        field.choices = [("", _("The whole case"))] + [
            (task.pk, f"{task.service.name()} ({task.organisation.name()})") for task in tasks
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("visibility") == Note.Visibility.CUSTOMER
            and data.get("sensitivity") == Sensitivity.SOCIAL_HEALTH
        ):
            self.add_error(
                "visibility",
                _("Social and health care notes are internal; write the customer a separate note."),
            )
        return data


class CustomerUpdateForm(AccessibleFormMixin, forms.Form):
    """The customer got in touch about the case: a call, a visit, a message."""

    channel = forms.ChoiceField(
        label=_("How did the customer get in touch?"),
        choices=UPDATE_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the customer got in touch.")},
    )
    body = forms.CharField(
        label=_("What the customer said"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Do not write personal identity codes here."),
        error_messages={"required": _("Write what the customer said.")},
    )


class NextActionForm(AccessibleFormMixin, forms.Form):
    on = forms.DateField(
        label=_("Next action"),
        widget=DateInput,
        validators=[_not_in_past],
        error_messages={"required": _("Choose the date of the next action.")},
    )
    reason = forms.CharField(label=_("What happens then"), max_length=500, required=False)


class TaskUpdateForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    next_action_on = forms.DateField(
        label=_("Next action"), required=False, widget=DateInput, validators=[_not_in_past]
    )
    assignee = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        help_text=_("People who handle cases for the producing unit."),
        error_messages={
            "invalid_choice": _(
                "Choose someone who handles cases for the producing unit; "
                "the person you chose does not."
            )
        },
    )
    note = forms.CharField(label=_("Comment"), max_length=1000, required=False)

    def __init__(self, *args: Any, assignees: Iterable[Any] = (), **kwargs: Any) -> None:
        """`assignees`: who may be assigned (selectors.case_handlers_for the task's unit)."""
        super().__init__(*args, **kwargs)
        self.assignees = {str(user.pk): user for user in assignees}
        field: Any = self.fields["assignee"]
        # An empty choice that changes nothing: a current assignee who has since left the unit
        # is not a choice, and must not be silently replaced by the first person in the list.
        field.choices = [("", _("(no change)"))] + [
            (pk, user.get_full_name() or user.get_username()) for pk, user in self.assignees.items()
        ]

    def clean_assignee(self) -> Any:
        value = self.cleaned_data.get("assignee") or ""
        return self.assignees.get(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in Task.ACTIVE and not data.get("next_action_on"):
            self.add_error("next_action_on", _("Work that is still open needs a next action date."))
        return data


class ConsentForm(AccessibleFormMixin, forms.Form):
    organisation = _OrganisationChoice(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name_fi"),
        help_text=_("The organisation the customer lets see the case."),
        error_messages={"required": _("Choose the organisation.")},
    )
    scope = forms.ChoiceField(
        label=_("What it may see"),
        choices=Consent.Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the organisation may see.")},
    )
    includes_social_health = forms.BooleanField(
        label=_("Includes social and health care content"), required=False
    )
    how_given = forms.CharField(
        label=_("How the consent was given"),
        max_length=200,
        help_text=_("For example: orally on the phone, signed form."),
        error_messages={"required": _("Write how the customer gave the consent.")},
    )


class CloseForm(AccessibleFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        # A merge closes the duplicate with its own outcome; people choose among these.
        choices=[(v, label) for v, label in Case.Outcome.choices if v != Case.Outcome.MERGED],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    first_contact_resolution = forms.BooleanField(
        label=_("Solved during the first contact"), required=False
    )


class ReasonForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reason.")},
    )


class MergeForm(ReasonForm):
    survivor = forms.CharField(
        label=_("Merge into case number"),
        max_length=20,
        help_text=_("The case that stays, for example A261125-7K3QX."),
        error_messages={"required": _("Write the number of the case that stays.")},
    )
    field_order = ["survivor", "reason"]

    def clean_survivor(self) -> Case:
        reference = self.cleaned_data["survivor"].strip().upper()
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise ValidationError(
                _("No case has the number %(reference)s."), params={"reference": reference}
            )
        return case


class SplitForm(AccessibleFormMixin, OwnerChoiceMixin):
    tasks = forms.ModelMultipleChoiceField(
        label=_("Service needs that move to the new case"),
        queryset=Task.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one service need to move.")},
    )
    title = forms.CharField(
        label=_("Title of the new case"),
        max_length=200,
        error_messages={"required": _("Write a title for the new case.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write why the case is split.")},
    )
    field_order = ["tasks", "title", "new_owner", "reason"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["tasks"]
        field.queryset = Task.objects.filter(case=case).select_related("service", "organisation")
        field.label_from_instance = lambda task: (
            f"{task.service.name()} ({task.organisation.name()})"
        )


class TriageDecisionForm(AccessibleFormMixin, forms.Form):
    service = _ServiceChoice(
        label=_("Service"),
        queryset=Service.objects.none(),
        to_field_name="slug",
        error_messages={"required": _("Choose the service the message is about.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["service"]
        field.queryset = services_with_names()
