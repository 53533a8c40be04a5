"""Staff forms for building surveys and narrowing results. They check input; the rules that
keep answers comparable live in builder.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from luukku.catalogue.models import Service, ServiceChannel
from luukku.core.forms import AccessibleFormMixin
from luukku.organisations.models import Organisation

from .builder import (
    ChoiceData,
    condition_value_text,
    schedule_problem,
    service_locations,
    services,
    touchpoint_problems,
)
from .models import LANGUAGES, Channel, Question, Survey, Touchpoint

LANGUAGE_HINT = _("Finnish is required; Swedish and English are shown to those who choose them.")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class NamedChoiceField(forms.ModelChoiceField):
    """Services, locations and organisations by their name in the active language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class SurveyForm(AccessibleFormMixin, forms.ModelForm):
    organisation = NamedChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        help_text=_("The organisation that owns the survey and sees its results."),
    )
    service = NamedChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label=_("Service"),
        help_text=_("Leave empty for a survey about several services, or for a staff survey."),
    )

    class Meta:
        model = Survey
        fields = [
            "kind",
            "organisation",
            "service",
            "title_fi",
            "title_sv",
            "title_en",
            "intro_fi",
            "intro_sv",
            "intro_en",
            "thanks_fi",
            "thanks_sv",
            "thanks_en",
            "identified",
            "asks_background",
            "opens_at",
            "closes_at",
            "hide_results_until_closed",
            "retention_days",
            "expiry_action",
        ]
        widgets = {
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "intro_fi": forms.Textarea(attrs={"rows": 3}),
            "intro_sv": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
            "thanks_fi": forms.Textarea(attrs={"rows": 2}),
            "thanks_sv": forms.Textarea(attrs={"rows": 2}),
            "thanks_en": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "kind": _(
                "Staff surveys are answered by the organisation's staff after logging in. "
                "They are always anonymous, ask no background and show results only for "
                "groups of at least 5."
            ),
            "title_fi": LANGUAGE_HINT,
            "opens_at": _("Leave empty to open when published."),
            "closes_at": _("Leave empty to keep the survey open until you close it."),
            "hide_results_until_closed": _(
                "Results and exports show only the number of answers until the survey closes."
            ),
        }

    GROUPS = [
        (_("What and whose"), ["kind", "organisation", "service"]),
        (
            _("Texts"),
            [f"{part}_{lang}" for part in ("title", "intro", "thanks") for lang in LANGUAGES],
        ),
        (
            _("Answers and privacy"),
            [
                "identified",
                "asks_background",
                "opens_at",
                "closes_at",
                "hide_results_until_closed",
                "retention_days",
                "expiry_action",
            ],
        ),
    ]

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], locked_kind: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organisation_field: forms.ModelChoiceField = self.fields["organisation"]  # type: ignore[assignment]
        organisation_field.queryset = organisations
        service_field: forms.ModelChoiceField = self.fields["service"]  # type: ignore[assignment]
        service_field.queryset = services()
        if locked_kind:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _(
                "The survey already has answers, so its kind cannot change."
            )

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in groups, each shown under its own legend."""
        return [(str(legend), [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("kind") == Survey.Kind.STAFF:
            if data.get("identified"):
                self.add_error("identified", _("Staff surveys are always anonymous."))
            if data.get("service"):
                self.add_error("service", _("A staff survey is not about one service."))
        problem = schedule_problem(data.get("opens_at"), data.get("closes_at"))
        if problem:
            self.add_error("closes_at", problem)
        return data


def _question_label(question: Question) -> str:
    return f"{question.code}: {question.text()}"


class QuestionForm(AccessibleFormMixin, forms.ModelForm):
    condition_value = forms.CharField(
        required=False,
        max_length=200,
        label=_("Condition value"),
        help_text=_(
            "A number for a scale question (e.g. 2), or choice codes for a choice question; "
            "for “is any of”, separate them with commas."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "code",
            "kind",
            "text_fi",
            "text_sv",
            "text_en",
            "help_fi",
            "help_sv",
            "help_en",
            "required",
            "measure",
            "allows_other",
            "show_if_question",
            "show_if_operator",
        ]
        help_texts = {"text_fi": LANGUAGE_HINT}

    CONDITION_FIELDS = ("show_if_question", "show_if_operator", "condition_value")
    QUESTION_FIELDS = tuple(
        name for name in Meta.fields if name not in ("show_if_question", "show_if_operator")
    )

    def __init__(
        self, *args: Any, earlier: QuerySet[Question], locked: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        trigger: forms.ModelChoiceField = self.fields["show_if_question"]  # type: ignore[assignment]
        trigger.queryset = earlier
        trigger.label_from_instance = _question_label  # type: ignore[method-assign,assignment]
        trigger.empty_label = _("always shown")
        if self.instance.pk is not None:
            self.initial.setdefault("condition_value", condition_value_text(self.instance))
        if locked:
            for name in ("code", "kind", "show_if_question", "show_if_operator", "condition_value"):
                self.fields[name].disabled = True

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        return code.lower()


class ChoiceForm(AccessibleFormMixin, forms.Form):
    code = forms.SlugField(
        max_length=40,
        required=False,
        label=_("Code"),
        help_text=_("Letters, numbers, - and _; the column name in exports."),
    )
    label_fi = forms.CharField(max_length=200, required=False, label=_("Finnish label"))
    label_sv = forms.CharField(max_length=200, required=False, label=_("Swedish label"))
    label_en = forms.CharField(max_length=200, required=False, label=_("English label"))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if any(data.get(name) for name in ("label_fi", "label_sv", "label_en")) and not data.get(
            "code"
        ):
            self.add_error("code", _("Give the choice a code."))
        elif data.get("code") and not data.get("label_fi"):
            self.add_error("label_fi", _("Give the choice a Finnish label."))
        return data

    def choice(self) -> ChoiceData | None:
        data = self.cleaned_data
        if not data.get("code"):
            return None
        return ChoiceData(
            code=data["code"].lower(),
            label_fi=data["label_fi"],
            label_sv=data.get("label_sv", ""),
            label_en=data.get("label_en", ""),
        )


# Blank rows for new choices, below the existing ones.
EXTRA_CHOICE_ROWS = 3
ChoiceFormSet = forms.formset_factory(ChoiceForm, extra=EXTRA_CHOICE_ROWS, max_num=40)


def choice_formset(question: Question | None, data: Any = None) -> Any:
    initial = (
        [
            {"code": c.code, "label_fi": c.label_fi, "label_sv": c.label_sv, "label_en": c.label_en}
            for c in question.choices.all()
        ]
        if question is not None and question.pk is not None
        else []
    )
    return ChoiceFormSet(data=data, initial=initial, prefix="choices")


class TouchpointForm(AccessibleFormMixin, forms.ModelForm):
    service = NamedChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label=_("Service"),
        help_text=_(
            "Service page: the page that shows the link. Case closed: only cases with a task "
            "for this service. Others: recorded with the answers."
        ),
    )
    location = NamedChoiceField(
        queryset=ServiceChannel.objects.none(),
        required=False,
        label=_("Service location"),
        help_text=_("Needed for a QR code or a kiosk."),
    )
    organisation = NamedChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Organisation"),
        help_text=_("Case closed: only cases owned by this organisation or its units."),
    )

    class Meta:
        model = Touchpoint
        fields = ["kind", "label", "service", "location", "organisation", "channel", "prefer_sms"]
        help_texts = {"label": _("A name for staff, e.g. “Kiosk at the main entrance”.")}

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service_field: forms.ModelChoiceField = self.fields["service"]  # type: ignore[assignment]
        service_field.queryset = services()
        location_field: forms.ModelChoiceField = self.fields["location"]  # type: ignore[assignment]
        location_field.queryset = service_locations()
        organisation_field: forms.ModelChoiceField = self.fields["organisation"]  # type: ignore[assignment]
        organisation_field.queryset = organisations

    def clean(self) -> dict[str, Any]:
        """The builder's rules per kind, on their fields (before the model's own checks,
        whose messages would be generic)."""
        data: dict[str, Any] = super().clean() or {}
        candidate = Touchpoint(
            survey=self.instance.survey,
            kind=data.get("kind", ""),
            service=data.get("service"),
            location=data.get("location"),
            organisation=data.get("organisation"),
        )
        for name, problems in touchpoint_problems(candidate).items():
            for problem in problems:
                self.add_error(name, problem)
        return data


class ResultsFilterForm(AccessibleFormMixin, forms.Form):
    touchpoint = forms.ModelChoiceField(
        queryset=Touchpoint.objects.none(), required=False, label=_("Touchpoint")
    )
    service = NamedChoiceField(queryset=Service.objects.none(), required=False, label=_("Service"))
    channel = forms.ChoiceField(
        choices=[("", _("all channels")), *Channel.choices], required=False, label=_("Channel")
    )
    since = forms.DateField(required=False, label=_("From"), widget=DateInput())
    until = forms.DateField(required=False, label=_("To"), widget=DateInput())

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        touchpoint_field: forms.ModelChoiceField = self.fields["touchpoint"]  # type: ignore[assignment]
        touchpoint_field.queryset = survey.touchpoints.all()
        touchpoint_field.empty_label = _("all touchpoints")
        service_field: forms.ModelChoiceField = self.fields["service"]  # type: ignore[assignment]
        service_field.queryset = services().filter(survey_responses__survey=survey).distinct()
        service_field.empty_label = _("all services")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must not be before the start date."))
        return data
