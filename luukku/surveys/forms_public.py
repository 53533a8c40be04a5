"""The answer form, built from a survey's questions in the respondent's language.

The form only reads what was sent; every rule (ranges, choice codes, required questions,
conditions) is `answering.save_response`'s, whose messages the view puts back on the fields.
Field names are `q-<code>` for questions, `q-<code>-other` for the 'other' texts and
`bg-<name>` for the background questions.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luukku.areas.demographics import AgeBand, CustomerType, Sex
from luukku.areas.models import Area
from luukku.core.forms import AccessibleFormMixin
from luukku.organisations.models import Organisation

from .answering import BACKGROUND_FIELDS, OTHER
from .conditions import AnswerValue
from .models import Question

QUESTION_PREFIX = "q-"
OTHER_SUFFIX = "-other"
BACKGROUND_PREFIX = "bg-"
SMILEY_LABELS = {
    1: _("very dissatisfied"),
    2: _("dissatisfied"),
    3: _("neutral"),
    4: _("satisfied"),
    5: _("very satisfied"),
}


@dataclass(frozen=True)
class QuestionRow:
    """One question as the template draws it; `condition` is JSON for the script that hides it."""

    question: Question
    field: forms.BoundField
    other: forms.BoundField | None
    hint: str
    condition: str

    @property
    def is_group(self) -> bool:
        """Radio buttons and checkboxes sit in a fieldset with a legend."""
        return self.question.kind != Question.Kind.FREE_TEXT


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, *, language: str, **kwargs: Any) -> None:
        self.language = language
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name(self.language)


class _Raw(forms.Field):
    """Passes the sent value through unvalidated: the service judges it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def question_field_name(code: str) -> str:
    return f"{QUESTION_PREFIX}{code}"


def other_field_name(code: str) -> str:
    return f"{QUESTION_PREFIX}{code}{OTHER_SUFFIX}"


def scale_choices(question: Question) -> list[tuple[str, str]]:
    low, high = Question.SCALES[question.kind]
    if question.kind == Question.Kind.SMILEY:
        return [(str(n), f"{n} – {SMILEY_LABELS[n]}") for n in range(low, high + 1)]
    return [(str(n), str(n)) for n in range(low, high + 1)]


class AnswerForm(AccessibleFormMixin, forms.Form):
    """Questions, optional background, and the one-time nonce that makes a double send safe."""

    nonce = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        language: str,
        background: bool = False,
        consent_text: str = "",
        units: list[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        self.questions = questions
        self.language = language
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("nonce", uuid.uuid4().hex)
        for question in questions:
            self._add_question(question)
        if background:
            self._add_background()
        if consent_text:
            self.fields["consent"] = forms.BooleanField(
                required=False, label=consent_text, help_text=""
            )
        if units and len(units) > 1:
            self.fields["staff_unit"] = UnitChoiceField(
                language=language,
                queryset=Organisation.objects.filter(pk__in=[unit.pk for unit in units]),
                label=_("Your unit"),
                help_text=_("Results are shown per unit only when it has 5 or more answers."),
                empty_label=_("Choose your unit"),
                required=False,
            )
        # The mixin sets aria-describedby for fields with help texts; added fields need it too.
        for name, field in self.fields.items():
            if field.help_text and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_hint"

    def _add_question(self, question: Question) -> None:
        language = self.language
        label = question.text(language)
        if question.required:
            label = f"{label} ({_('required')})"
        help_text = question.help(language)
        name = question_field_name(question.code)
        if question.is_scale:
            field: forms.Field = _Raw(
                label=label,
                help_text=help_text,
                widget=forms.RadioSelect(choices=scale_choices(question)),
            )
        elif question.is_choice:
            choices = [(c.code, c.label(language)) for c in question.choices.all()]
            if question.allows_other:
                choices.append((OTHER, str(_("Other, what?"))))
            widget: forms.Widget = (
                forms.CheckboxSelectMultiple(choices=choices)
                if question.kind == Question.Kind.MULTIPLE_CHOICE
                else forms.RadioSelect(choices=choices)
            )
            field = _Raw(label=label, help_text=help_text, widget=widget)
        else:
            field = _Raw(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4}))
        self.fields[name] = field
        if question.is_choice and question.allows_other:
            self.fields[other_field_name(question.code)] = _Raw(
                label=_("Other, what?"), widget=forms.TextInput()
            )

    def _add_background(self) -> None:
        municipalities = Area.objects.filter(area_type=Area.Type.MUNICIPALITY).order_by("name_fi")
        self.fields[f"{BACKGROUND_PREFIX}municipality"] = _Raw(
            label=_("Municipality of residence"),
            widget=forms.Select(
                choices=[("", _("Not given"))]
                + [(area.code, area.name(self.language)) for area in municipalities]
            ),
        )
        for name, label, choices in (
            ("age_band", _("Age"), AgeBand.choices),
            ("sex", _("Sex"), Sex.choices),
            ("customer_type", _("You answer as"), CustomerType.choices),
        ):
            self.fields[f"{BACKGROUND_PREFIX}{name}"] = _Raw(
                label=label,
                widget=forms.Select(choices=[("", _("Not given")), *choices]),
            )

    # What the template shows --------------------------------------------------------------

    def rows(self, hinted: list[tuple[Question, str]]) -> list[QuestionRow]:
        rows = []
        for question, hint in hinted:
            other = other_field_name(question.code)
            condition = ""
            if question.show_if_question_id is not None and question.show_if_question:
                condition = json.dumps(
                    {
                        "field": question_field_name(question.show_if_question.code),
                        "operator": question.show_if_operator,
                        "value": question.show_if_value,
                    }
                )
            rows.append(
                QuestionRow(
                    question=question,
                    field=self[question_field_name(question.code)],
                    other=self[other] if other in self.fields else None,
                    hint=hint,
                    condition=condition,
                )
            )
        return rows

    def background_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(BACKGROUND_PREFIX)]

    # What the service takes ---------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {q.code: data.get(question_field_name(q.code)) for q in self.questions}

    def other(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            q.code: data.get(other_field_name(q.code)) or ""
            for q in self.questions
            if q.is_choice and q.allows_other
        }

    def background(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(f"{BACKGROUND_PREFIX}{name}") or ""
            for name in BACKGROUND_FIELDS
            if f"{BACKGROUND_PREFIX}{name}" in self.fields
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's messages on the fields they are about (others above the form)."""
        for key, messages in errors.items():
            for candidate in (
                question_field_name(key),
                f"{BACKGROUND_PREFIX}{key}",
                key,
            ):
                if candidate in self.fields:
                    for message in messages:
                        self.add_error(candidate, message)
                    break
            else:
                for message in messages:
                    self.add_error(None, message)
        # Point the inputs at their new error messages (AccessibleFormMixin's ids).
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    described.append(f"{bound.auto_id}_hint")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)
                self.fields[name].widget.attrs["aria-invalid"] = "true"


def initial_for(values: dict[str, AnswerValue], other: dict[str, str]) -> dict[str, Any]:
    """An earlier answer as the form's initial data (coming back to a saved answer)."""
    initial: dict[str, Any] = {}
    for code, value in values.items():
        initial[question_field_name(code)] = str(value) if isinstance(value, int) else value
    for code, text in other.items():
        initial[other_field_name(code)] = text
    return initial


def condition_hints(questions: list[Question], language: str) -> list[tuple[Question, str]]:
    """Each question with, for a conditional one, the hint shown when scripts cannot hide it:
    "Answer only if your answer to “…” is at most 2."."""
    by_pk = {question.pk: question for question in questions}
    hinted = []
    for question in questions:
        hint = ""
        trigger = by_pk.get(question.show_if_question_id) if question.show_if_question_id else None
        if trigger is not None:
            expected = question.show_if_value
            codes = expected if isinstance(expected, list) else [expected]
            if trigger.is_choice:
                labels = {choice.code: choice.label(language) for choice in trigger.choices.all()}
                labels[OTHER] = str(_("Other, what?"))
                shown_value = ", ".join(labels.get(str(code), str(code)) for code in codes)
            else:
                shown_value = ", ".join(str(code) for code in codes)
            hint = str(
                _("Answer only if your answer to “%(question)s” %(condition)s %(value)s.")
                % {
                    "question": trigger.text(language),
                    "condition": question.get_show_if_operator_display(),
                    "value": shown_value,
                }
            )
        hinted.append((question, hint))
    return hinted
