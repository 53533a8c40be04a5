"""Turn a rendered admin change page back into the POST data its Save button would send."""

from __future__ import annotations

from typing import Any


def _field_values(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue  # an unchecked box or an empty field is simply not sent
        if value is True:
            value = "on"
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
        else:
            data[bound.html_name] = str(value.pk if hasattr(value, "pk") else value)
    return data


def change_form_data(response: Any) -> dict[str, Any]:
    """The form data of an admin add/change page, inlines included, as the browser sends it."""
    data = _field_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_values(formset.management_form))
        for form in formset.forms:
            if form.instance.pk is None:
                continue  # leave the empty extra forms empty
            data.update(_field_values(form))
    return data
