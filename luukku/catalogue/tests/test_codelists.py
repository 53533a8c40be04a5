"""The national code lists load with their real codes, labels and hierarchy."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from luukku.catalogue.codelists import load_code_lists
from luukku.catalogue.models import LifeEvent, ServiceClass, TargetGroup

pytestmark = pytest.mark.django_db


def test_load_code_lists_creates_every_national_code_with_labels_and_parents():
    counts = load_code_lists()

    assert counts == {"service_classes": 229, "target_groups": 17, "life_events": 19}
    assert ServiceClass.objects.count() == 229
    top_level = ServiceClass.objects.filter(parent=None)
    assert sorted(top_level.values_list("code", flat=True)) == sorted(f"P{n}" for n in range(1, 29))
    housing = ServiceClass.objects.get(code="P1")
    assert (housing.label_fi, housing.label_sv, housing.label_en) == (
        "Asuminen",
        "Boende",
        "Housing",
    )
    assert ServiceClass.objects.get(code="P1.1").parent == housing
    assert housing.uri == "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/P1"

    losing_job = LifeEvent.objects.get(code="KE8")
    assert losing_job.label_fi == "Työttömäksi jääminen"
    assert losing_job.label_en == "Losing a job"
    assert LifeEvent.objects.get(code="KE4.2").parent == LifeEvent.objects.get(code="KE4")

    employers = TargetGroup.objects.get(code="KR2.6")
    assert employers.label_fi == "Työnantajat"
    assert employers.parent == TargetGroup.objects.get(code="KR2")


def test_loading_twice_changes_nothing_and_repairs_edited_labels():
    load_code_lists()
    ServiceClass.objects.filter(code="P5").update(label_fi="muokattu")
    ids_before = dict(ServiceClass.objects.values_list("code", "pk"))

    load_code_lists()

    assert ServiceClass.objects.count() == 229
    assert dict(ServiceClass.objects.values_list("code", "pk")) == ids_before
    assert ServiceClass.objects.get(code="P5").label_fi != "muokattu"


def test_command_reports_counts(capsys):
    call_command("load_code_lists")

    output = capsys.readouterr().out
    assert "service_classes: 229" in output
    assert "life_events: 19" in output
    assert TargetGroup.objects.count() == 17
