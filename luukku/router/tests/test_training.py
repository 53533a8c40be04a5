"""train_router: versioned, signed models with their training report."""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from luukku.catalogue.models import Service
from luukku.router import services, training
from luukku.router.models import RouterModel

from .factories import RoutingExampleFactory

pytestmark = pytest.mark.django_db


def _report(output: str) -> dict:
    return json.loads(output[: output.rindex("}") + 1])


def test_train_router_stores_an_active_version_with_its_report(
    catalogue: dict[str, Service],
) -> None:
    for index in range(10):  # enough held-out messages for five folds
        RoutingExampleFactory.create(
            text=f"kirja {index} on myöhässä", service=catalogue["kirjasto"]
        )
    out = StringIO()

    call_command("train_router", stdout=out)

    model = RouterModel.objects.get()
    assert (model.version, model.is_active) == (1, True)
    assert "v1 trained and active" in out.getvalue()
    report = model.report
    assert report == {**_report(out.getvalue()), "size_bytes": len(bytes(model.blob))}
    assert report["examples"]["by_source"]["demo"] == 10
    assert report["services"] == len(catalogue)
    assert report["cross_validation"]["basis"] == "messages"
    assert report["cross_validation"]["n"] == 10
    assert 0 <= report["cross_validation"]["top1"] <= report["cross_validation"]["top3"] <= 1
    assert report["duration_seconds"] > 0
    assert model.parameters["C"] == training.DEFAULT_PARAMETERS["C"]
    assert "logistic regression" in model.algorithm

    call_command("train_router", "--no-cv", "--param", "C=5", stdout=StringIO())

    assert list(RouterModel.objects.values_list("version", "is_active")) == [
        (2, True),
        (1, False),
    ]
    assert RouterModel.objects.get(version=2).parameters["C"] == 5.0


def test_dry_run_prints_the_report_and_stores_nothing(catalogue: dict[str, Service]) -> None:
    out = StringIO()

    call_command("train_router", "--dry-run", stdout=out)

    assert _report(out.getvalue())["cross_validation"]["basis"] == "catalogue sentences"
    assert "Dry run" in out.getvalue()
    assert not RouterModel.objects.exists()


def test_bad_parameters_and_an_empty_catalogue_are_clear_errors(db: None) -> None:
    with pytest.raises(CommandError, match="at least two services"):
        call_command("train_router", stdout=StringIO())
    with pytest.raises(CommandError, match="NAME=VALUE"):
        call_command("train_router", "--param", "alpha=1", stdout=StringIO())


def test_only_one_version_can_be_active(trained: RouterModel) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RouterModel.objects.create(
            version=99, algorithm="x", blob=b"", signature="", is_active=True
        )


def test_a_tampered_model_is_refused_never_unpickled(
    trained: RouterModel, caplog: pytest.LogCaptureFixture
) -> None:
    blob = bytearray(bytes(trained.blob))
    blob[len(blob) // 2] ^= 0xFF
    RouterModel.objects.filter(pk=trained.pk).update(blob=bytes(blob))
    services.forget_loaded_model()

    with pytest.raises(training.ModelRefused, match="signature does not match"):
        training.load_pipeline(bytes(blob), trained.signature)
    with caplog.at_level(logging.ERROR, logger="luukku.router.services"):
        assert services.suggest("kirjastokortti") == []
    assert "refused" in caplog.text
    with pytest.raises(services.NoActiveModel, match="signature"):
        services.suggest_or_raise("kirjastokortti")


def test_a_model_signed_with_another_secret_key_is_refused(
    trained: RouterModel, settings: object
) -> None:
    settings.SECRET_KEY = "another-installation"  # type: ignore[attr-defined]
    services.forget_loaded_model()

    assert services.suggest("kirjastokortti") == []


def test_if_stale_trains_only_after_a_change(catalogue: dict[str, Service]) -> None:
    out = StringIO()
    call_command("train_router", "--if-stale", "--no-cv", stdout=out)
    call_command("train_router", "--if-stale", "--no-cv", stdout=out)
    assert RouterModel.objects.count() == 1
    assert "up to date" in out.getvalue()

    RoutingExampleFactory.create(text="uusi kirjaviesti", service=catalogue["kirjasto"])
    call_command("train_router", "--if-stale", "--no-cv", stdout=out)

    assert RouterModel.objects.get(is_active=True).version == 2
