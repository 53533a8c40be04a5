"""Form behaviour every public and staff form shares: errors and hints tied to their fields.

Screen readers announce a field's hint and error only when the input points at them: each input
with a hint gets `aria-describedby` to it, and an invalid input `aria-invalid` and its error id
first. The ids match the shared template `includes/field.html`.
"""

from __future__ import annotations

from typing import Any

from django import forms


class AccessibleFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form: forms.Form = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{form[name].auto_id}_hint"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        form: forms.Form = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            bound = form[name]
            described = [f"{bound.auto_id}_hint"] if field.help_text else []
            if name in form.errors:
                field.widget.attrs["aria-invalid"] = "true"
                described.insert(0, f"{bound.auto_id}_error")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
