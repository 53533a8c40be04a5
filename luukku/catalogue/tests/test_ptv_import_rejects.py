"""A malformed PTV file is rejected whole: every problem listed, exit status 1, nothing written.

test_ptv_import.py covers malformed JSON, a missing Finnish name, unknown codes and a bad UUID;
this module covers the rest of what an operator can be handed: the wrong top-level shape, wrong
types, a service missing its required fields, bad organisation references, an id twice in one
file, language codes that are not ones and fields longer than the catalogue keeps. The bad
records sit beside valid ones, including an update of a service already in the catalogue, and
the row counts of every table the importer writes must not move.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from luukku.areas.models import Area
from luukku.catalogue.models import (
    ChannelText,
    Service,
    ServiceChannel,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
)
from luukku.catalogue.tests.test_ptv_import import DATA, ptv_reference_data  # noqa: F401
from luukku.organisations.models import Organisation

pytestmark = pytest.mark.django_db

WRITTEN: list[type[models.Model]] = [
    Service,
    ServiceText,
    ServiceOrganisation,
    ServiceChannel,
    ChannelText,
    ServiceHours,
    Organisation,
    Area,
    Service.channels.through,
    Service.areas.through,
    Service.service_classes.through,
]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in WRITTEN}


def run_import(path: Path, *options: str) -> int:
    """`manage.py import_ptv` as an operator runs it; returns the exit status.

    manage.py exits with a CommandError's `returncode` after printing it (run_from_argv);
    run_from_argv itself would also close the test's database connection, so the command is
    called here and the status read from the error, as run_from_argv does.
    """
    try:
        call_command("import_ptv", str(path), "--no-progress", *options)
    except CommandError as error:
        sys.stderr.write(f"CommandError: {error}\n")
        return error.returncode
    return 0


def write(tmp_path: Path, document: Any, name: str = "bad.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def with_id(record: dict[str, Any], new_id: str, source_id: str | None = None) -> dict[str, Any]:
    copied = copy.deepcopy(record)
    copied["id"] = new_id
    if source_id is not None:
        copied["sourceId"] = source_id
    return copied


@pytest.fixture
def catalogue_before(ptv_reference_data: Any) -> dict[str, int]:  # noqa: F811
    """A catalogue that already holds the recorded page, so that 'unchanged' means something."""
    code = run_import(DATA / "page.json")
    assert code == 0
    return row_counts()


def bad_file_records() -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """One valid record, one valid update, and one bad record per kind of problem, with
    (where, what) each problem must be reported as."""
    service = recorded("service.json")
    page = recorded("page.json")
    update = copy.deepcopy(page["itemList"][0])
    update["serviceNames"] = [
        {"language": "fi", "value": "Päivitetty nimi", "type": "Name"},
        *update.get("serviceNames", [])[1:],
    ]

    # Required: a Finnish name and a service class (type and areaType have PTV's defaults, and
    # organisations may be missing: Luukku's own services are exported without them).
    missing = with_id(service, "11111111-1111-4111-8111-111111111111", "puuttuvat")
    missing["serviceNames"] = [{"language": "sv", "value": "Bygglov", "type": "Name"}]
    del missing["serviceClasses"]
    nameless = with_id(service, "99999999-9999-4999-8999-999999999999", "nimeton")
    del nameless["serviceNames"]

    wrong_types = with_id(service, "22222222-2222-4222-8222-222222222222", "vaarat-tyypit")
    wrong_types["serviceNames"] = "Rakennuslupa"
    wrong_types["areas"] = {"type": "Municipality"}

    bad_organisation = with_id(service, "33333333-3333-4333-8333-333333333333", "paha-org")
    bad_organisation["organizations"] = [
        {"organization": {"id": "not-an-organisation", "name": "X"}, "roleType": "Responsible"}
    ]

    bad_language = with_id(service, "44444444-4444-4444-8444-444444444444", "paha-kieli")
    bad_language["languages"] = ["fi", "klingon", 7]
    bad_language["serviceNames"] = [
        *bad_language["serviceNames"],
        {"language": "Finnish", "value": "Nimi", "type": "AlternativeName"},
    ]

    oversized = with_id(service, "55555555-5555-4555-8555-555555555555", "x" * 500)
    long_link = with_id(recorded("channel_webpage.json"), "88888888-8888-4888-8888-888888888888")
    long_link["sourceId"] = "pitka-linkki"
    for link in long_link.get("webPages", []):
        link["url"] = "https://example.fi/" + "a" * 600

    duplicate = with_id(service, service["id"], "kaksoiskappale")

    records = [
        service,
        update,
        missing,
        wrong_types,
        bad_organisation,
        bad_language,
        oversized,
        duplicate,
        long_link,
        nameless,
    ]
    expected = [
        ("itemList[2]", "serviceNames: missing Finnish name"),
        ("itemList[2]", "serviceClasses: a service needs at least one service class"),
        ("itemList[3]", "serviceNames: must be a list"),
        ("itemList[3]", "areas: must be a list"),
        ("itemList[4]", "organizations[0].organization.id: bad UUID 'not-an-organisation'"),
        ("itemList[5]", "serviceNames[4].language: not a language code: 'Finnish'"),
        ("itemList[5]", "languages[1]: not a language code: 'klingon'"),
        ("itemList[5]", "languages[2]: not a language code: 7"),
        ("itemList[6]", "sourceId: cannot be a slug of 1–80 characters"),
        ("itemList[7]", "id: the same id is also at itemList[0]"),
        ("itemList[8]", "webPages[0]: URL longer than 500 characters"),
        ("itemList[9]", "neither a service (serviceNames) nor a channel"),
    ]
    return records, expected


def test_every_problem_is_listed_and_nothing_is_written(
    tmp_path: Path, catalogue_before: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    records, expected = bad_file_records()
    path = write(tmp_path, {"pageNumber": 1, "itemList": records})
    capsys.readouterr()

    code = run_import(path)

    err = capsys.readouterr().err
    assert code == 1
    problems = [line.strip() for line in err.splitlines() if line.startswith("  ")]
    for where, what in expected:
        assert any(p.startswith(where) and what in p for p in problems), (where, what, err)
    assert not any(p.startswith(("itemList[0]", "itemList[1]")) for p in problems), err
    assert "nothing was imported" in err
    assert row_counts() == catalogue_before
    assert not ServiceText.objects.filter(value="Päivitetty nimi").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "malformed JSON"),
        (b"", "malformed JSON"),
        (b'"just a string"', "expected a PTV service or channel, a list or a page"),
        (b"42", "expected a PTV service or channel, a list or a page"),
        (b'{"pageNumber": 1, "itemList": "not a list"}', "itemList"),
        (b'{"pageNumber": 1}', "neither a service"),
        (b"[1, 2, null]", "[2]: a record must be a JSON object"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_with_the_reason(
    tmp_path: Path,
    catalogue_before: dict[str, int],
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    reason: str,
) -> None:
    path = tmp_path / "shape.json"
    path.write_bytes(content)
    capsys.readouterr()

    code = run_import(path)

    err = capsys.readouterr().err
    assert code == 1
    assert reason in err
    assert "nothing was imported" in err
    assert row_counts() == catalogue_before


def test_an_unknown_organisation_is_refused_when_asked(
    tmp_path: Path, catalogue_before: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    service = with_id(recorded("service.json"), "66666666-6666-4666-8666-666666666666", "vieras")
    service["organizations"] = [
        {
            "organization": {"id": "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f", "name": "Tuntematon"},
            "roleType": "Responsible",
        }
    ]
    other = with_id(service, "77777777-7777-4777-8777-777777777777", "toinen-vieras")
    path = write(tmp_path, [service, other])
    capsys.readouterr()

    code = run_import(path, "--reject-unknown-organisations")

    err = capsys.readouterr().err
    assert code == 1
    assert err.count("0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f") >= 2
    assert row_counts() == catalogue_before
