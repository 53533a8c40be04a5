"""The insight pages' filters: which answers, grouped how, weighted or not.

Every field is optional and a bad value is reported on its field; the choices offered are only
what the user may see (customer surveys of their organisations).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from luukku.areas.demographics import CustomerType
from luukku.areas.models import Area
from luukku.catalogue.models import Service
from luukku.core.forms import AccessibleFormMixin
from luukku.organisations.models import Organisation
from luukku.surveys.models import Channel, Survey

from .queries import InsightFilter

DIMENSIONS = {
    "service": _("Service"),
    "month": _("Month"),
    "channel": _("Channel"),
    "organisation": _("Organisation"),
    "municipality": _("Municipality"),
    "customer_type": _("Customer segment"),
    "age_band": _("Age band"),
    "sex": _("Sex"),
}
MEASURES = {
    "satisfaction": _("Satisfaction (1–5)"),
    "recommendation": _("Recommendation (NPS)"),
    "effort": _("Ease (1–5)"),
}
# Answers and cases exist only within these years; a date far outside them (0001-01-01) would
# overflow when turned into an aware datetime for the case metrics.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
# The margins a user may rake on (municipality is added when the filter spans several).
WEIGHTINGS = {
    "age_sex": (_("Weighted to the population by age and sex"), ("age_band", "sex")),
    "age": (_("Weighted to the population by age"), ("age_band",)),
    "sex": (_("Weighted to the population by sex"), ("sex",)),
    "none": (_("Unweighted"), ()),
}


def _blank(choices: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices.items()]


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name())


class InsightFilterForm(AccessibleFormMixin, forms.Form):
    survey = forms.ModelChoiceField(
        queryset=Survey.objects.none(), required=False, label=_("Survey"), empty_label=_("All")
    )
    service = ServiceChoiceField(
        queryset=Service.objects.prefetch_related("texts").order_by("slug"),
        required=False,
        label=_("Service"),
        empty_label=_("All"),
    )
    municipality = forms.ModelChoiceField(
        queryset=Area.objects.filter(area_type=Area.Type.MUNICIPALITY),
        to_field_name="code",
        required=False,
        label=_("Municipality"),
        empty_label=_("Whole region"),
    )
    channel = forms.ChoiceField(
        choices=_blank(dict(Channel.choices)), required=False, label=_("Channel")
    )
    customer_type = forms.ChoiceField(
        choices=_blank(dict(CustomerType.choices)), required=False, label=_("Customer segment")
    )
    date_from = forms.DateField(
        required=False,
        label=_("From"),
        help_text=_("For example 1.1.2026"),
    )
    date_to = forms.DateField(
        required=False, label=_("Until"), help_text=_("For example 31.12.2026")
    )

    def __init__(self, *args: Any, scope: QuerySet[Organisation] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        surveys = Survey.objects.filter(kind=Survey.Kind.CUSTOMER).order_by("title_fi")
        if scope is not None:
            # The same rule as the answers: the survey's own organisation, or one that served
            # respondents of it (another organisation's survey about its services).
            surveys = surveys.filter(
                Q(organisation__in=scope) | Q(responses__organisation__in=scope)
            ).distinct()
        self.fields["survey"].queryset = surveys  # type: ignore[attr-defined]
        self.scope_ids = None if scope is None else sorted(scope.values_list("pk", flat=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        for name, value in (("date_from", start), ("date_to", end)):
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(
                    name,
                    _("Give a date between %(earliest)s and %(latest)s.")
                    % {"earliest": "1.1.2000", "latest": "31.12.2100"},
                )
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def insight_filter(self) -> InsightFilter:
        """The answers the user asked for, never beyond their organisations."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        municipality = data.get("municipality")
        service = data.get("service")
        survey = data.get("survey")
        return InsightFilter(
            municipality_codes=[municipality.code] if municipality else None,
            service_ids=[service.pk] if service else None,
            organisation_ids=self.scope_ids,
            channels=[data["channel"]] if data.get("channel") else None,
            customer_types=[data["customer_type"]] if data.get("customer_type") else None,
            survey_ids=[survey.pk] if survey else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def period(self) -> tuple[date | None, date | None]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("date_from"), data.get("date_to")


class DashboardForm(InsightFilterForm):
    by = forms.ChoiceField(choices=list(DIMENSIONS.items()), required=False, label=_("Group by"))
    then_by = forms.ChoiceField(
        choices=[("", _("Nothing more")), *DIMENSIONS.items()],
        required=False,
        label=_("and then by"),
    )
    measure = forms.ChoiceField(choices=list(MEASURES.items()), required=False, label=_("Measure"))
    weighting = forms.ChoiceField(
        choices=[(key, label) for key, (label, _margins) in WEIGHTINGS.items()],
        required=False,
        label=_("Weighting"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("by") and data.get("then_by") == data.get("by"):
            self.add_error("then_by", _("Choose a different grouping from the first one."))
        return data

    def grouping(self) -> tuple[str, ...]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        first = data.get("by") or "service"
        return (first, data["then_by"]) if data.get("then_by") else (first,)

    def measure_name(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("measure") or "satisfaction"

    def margins(self) -> tuple[str, ...]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return WEIGHTINGS[data.get("weighting") or "age_sex"][1]
