"""evaluate_router and load_routing_examples: output format, clear errors, never training."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from luukku.catalogue.models import Service
from luukku.router.models import RouterModel, RoutingExample

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "text,slug,language\n"
    "Haluan päivähoitopaikan lapselle,varhaiskasvatus,fi\n"
    '"Tarvitsenko rakennusluvan saunalle, kun se on pieni?",rakennuslupa,fi\n'
    "Jag behöver bygglov för ett garage,rakennuslupa,sv\n"
    "I lost my job,tyonhaku,en\n"
    "Lapselle päiväkotipaikka ja minulle työtä,varhaiskasvatus;tyonhaku,fi\n"
    "hammas särkee,hammashoito,\n"
)


def _write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "messages.csv"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_evaluate_router_prints_top1_and_top3_and_a_confusion_summary(
    trained: RouterModel, tmp_path: Path
) -> None:
    out = StringIO()

    call_command("evaluate_router", _write(tmp_path, GOOD_CSV), stdout=out)

    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"top-1: \d{1,3}\.\d %", lines[0])
    assert re.fullmatch(r"top-3: \d{1,3}\.\d %", lines[1])
    assert lines[0] == "top-1: 100.0 %"
    assert "6 (1 with several needs)" in lines[2]
    assert "Most frequent wrong first suggestions" in out.getvalue()
    assert "Weakest services" in out.getvalue()


def test_evaluate_router_never_trains_and_keeps_the_figures_with_the_version(
    trained: RouterModel, tmp_path: Path
) -> None:
    call_command("evaluate_router", _write(tmp_path, GOOD_CSV), stdout=StringIO())

    assert RouterModel.objects.count() == 1
    assert not RoutingExample.objects.exists()
    trained.refresh_from_db()
    (evaluation,) = trained.report["evaluations"]
    assert (evaluation["file"], evaluation["n"], evaluation["top1"]) == ("messages.csv", 6, 1.0)


def test_wrong_suggestions_are_counted_as_pairs(trained: RouterModel, tmp_path: Path) -> None:
    out = StringIO()
    csv = "text,slug\nHaluan päivähoitopaikan lapselle,kirjasto\n"

    call_command("evaluate_router", _write(tmp_path, csv), stdout=out)

    assert "top-1: 0.0 %" in out.getvalue()
    assert "kirjasto → varhaiskasvatus: 1" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("message,service\nx,kirjasto\n", "line 1: missing column(s) text, slug"),
        ("text,slug\nkirja,kirjasto\nhammas,hammaslaakari\n", "line 3: unknown service slug(s)"),
        ("text,slug\n,kirjasto\n", "line 2: the text is empty"),
        ("text,slug,language\nkirja,kirjasto,de\n", "line 2: unknown language 'de'"),
        ("text,slug\n", "no messages"),
        ("", "missing column(s)"),
        ('text,slug\n"monen\nrivin viesti",kirjasto\nx,nope\n', "line 4: unknown service"),
    ],
)
def test_a_malformed_file_is_a_clear_error_with_line_numbers(
    trained: RouterModel, tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("evaluate_router", _write(tmp_path, content), stdout=StringIO())


def test_a_missing_file_or_model_is_a_clear_error(
    catalogue: dict[str, Service], tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("evaluate_router", str(tmp_path / "nope.csv"), stdout=StringIO())
    with pytest.raises(CommandError, match="No router model"):
        call_command("evaluate_router", _write(tmp_path, GOOD_CSV), stdout=StringIO())


def test_load_routing_examples_is_idempotent(catalogue: dict[str, Service], tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_CSV)
    out = StringIO()

    call_command("load_routing_examples", path, stdout=out)
    call_command("load_routing_examples", path, stdout=out)

    assert "7 routing examples added (0 already there)" in out.getvalue()
    assert "0 routing examples added (7 already there)" in out.getvalue()
    assert RoutingExample.objects.filter(source="demo").count() == 7
    assert RoutingExample.objects.filter(service__slug="tyonhaku").count() == 2


def test_load_routing_examples_writes_nothing_from_a_bad_file(
    catalogue: dict[str, Service], tmp_path: Path
) -> None:
    path = _write(tmp_path, GOOD_CSV + "viesti,ei-tallaista\n")

    with pytest.raises(CommandError, match="line 8: unknown service slug"):
        call_command("load_routing_examples", path, stdout=StringIO())
    assert not RoutingExample.objects.exists()
