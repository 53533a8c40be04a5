"""import_population reads Statistics Finland's PxWeb population tables, all or nothing.

data/11re_2023.json and data/11re_2022_2023.csv have the shape of PxWeb's JSON-stat2 and
"semicolon delimited with heading" downloads of table 11re (population by single years of age),
for Kuopio and Iisalmi with the whole country and the region as totals. Malformed files are
generated here, each with its own small defect.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from luukku.areas.demographics import AGE_BANDS
from luukku.areas.models import PopulationGroup
from luukku.areas.population_import import (
    AgeGroup,
    PopulationImportError,
    age_group,
    import_population,
)
from luukku.catalogue.tests.factories import AreaFactory

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.django_db

SINGLE_YEARS = [(f"{age:03d}", str(age)) for age in range(100)] + [("100", "100 -")]
SEXES = [("SSS", "Yhteensä"), ("1", "Miehet"), ("2", "Naiset")]


@pytest.fixture
def municipalities() -> None:
    AreaFactory(code="297", name_fi="Kuopio", name_sv="Kuopio", name_en="Kuopio")
    AreaFactory(code="140", name_fi="Iisalmi", name_sv="Idensalmi", name_en="Iisalmi")


def population(code: str, year: int, band: str, sex: str) -> int:
    return PopulationGroup.objects.get(
        municipality__code=code, year=year, age_band=band, sex=sex
    ).population


def jsonstat(
    *,
    areas: Iterable[tuple[str, str]] = (("KU297", "Kuopio"),),
    ages: Iterable[tuple[str, str]] = SINGLE_YEARS,
    sexes: Iterable[tuple[str, str]] = SEXES,
    years: Iterable[str] = ("2023",),
    value: Callable[[str, str, str, str], Any] = lambda area, age, sex, year: 10,
    extra: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A PxWeb json-stat2 dataset; `value` gives each cell from its category codes."""
    dimensions: dict[str, list[tuple[str, str]]] = {
        "Vuosi": [(year, year) for year in years],
        "Alue": list(areas),
        "Sukupuoli": list(sexes),
        "Ikä": list(ages),
    }
    for name, codes in (extra or {"Tiedot": ["vaesto"]}).items():
        dimensions[name] = [(code, code) for code in codes]
    values = []
    for combination in itertools.product(*dimensions.values()):
        cell = dict(zip(dimensions, (code for code, _ in combination), strict=True))
        values.append(value(cell["Alue"], cell["Ikä"], cell["Sukupuoli"], cell["Vuosi"]))
    return {
        "class": "dataset",
        "version": "2.0",
        "label": "Väestö 31.12.",
        "source": "Tilastokeskus",
        "id": list(dimensions),
        "size": [len(categories) for categories in dimensions.values()],
        "dimension": {
            name: {
                "label": name,
                "category": {
                    "index": {code: i for i, (code, _) in enumerate(categories)},
                    "label": dict(categories),
                },
            }
            for name, categories in dimensions.items()
        },
        "value": values,
        "role": {"time": ["Vuosi"]},
        "extension": {"px": {"tableid": "11re"}},
    }


def write_json(tmp_path: Path, document: Any, name: str = "population.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def write_csv(tmp_path: Path, lines: list[str], *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "population.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def problems_of(path: Path, **options: Any) -> list[str]:
    with pytest.raises(PopulationImportError) as caught:
        import_population(path, **options)
    assert not PopulationGroup.objects.exists()
    return caught.value.problems


# -- the recorded-shape samples -----------------------------------------------------------


def test_jsonstat2_table_is_summed_into_age_bands(municipalities):
    result = import_population(DATA / "11re_2023.json")

    assert (result.created, result.updated, result.unchanged) == (32, 0, 0)
    assert PopulationGroup.objects.count() == 2 * len(AGE_BANDS) * 2
    assert population("297", 2023, "15-24", "female") == 7152
    assert population("297", 2023, "75-", "male") == 20172
    assert population("140", 2023, "0-14", "male") == 1762
    row = PopulationGroup.objects.filter(municipality__code="297").first()
    assert row is not None
    assert row.approximate is False
    assert "Tilastokeskus" in row.source
    assert "11re" in row.source
    assert "11re_2023.json" in row.source
    assert result.skipped_areas == ["KOKO MAA (SSS)", "MK11 Pohjois-Savo (MK11)"]


def test_kuopio_total_matches_the_file(municipalities):
    import_population(DATA / "11re_2023.json")

    rows = PopulationGroup.objects.filter(municipality__code="297", year=2023)
    assert sum(rows.values_list("population", flat=True)) == 154200


def test_csv_with_years_across_imports_every_year(municipalities):
    result = import_population(DATA / "11re_2022_2023.csv")

    assert result.years == [2022, 2023]
    assert result.created == 2 * 2 * len(AGE_BANDS) * 2
    assert population("140", 2022, "0-14", "male") == 1749
    assert population("140", 2023, "0-14", "male") == 1762
    assert population("297", 2023, "15-24", "female") == 7152


def test_year_option_picks_one_year_of_the_file(municipalities):
    result = import_population(DATA / "11re_2022_2023.csv", year=2022)

    assert result.years == [2022]
    assert set(PopulationGroup.objects.values_list("year", flat=True)) == {2022}


def test_year_that_the_file_does_not_have_is_refused(municipalities):
    problems = problems_of(DATA / "11re_2023.json", year=2019)

    assert problems == ["Year 2019 is not in the file (it has 2023)."]


def test_importing_again_changes_nothing(municipalities):
    import_population(DATA / "11re_2023.json")
    result = import_population(DATA / "11re_2023.json")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 32)


def test_official_figures_replace_estimates_and_leave_other_rows_alone(municipalities):
    siilinjarvi = AreaFactory.create(code="749", name_fi="Siilinjärvi")
    estimate = PopulationGroup.objects.create(
        municipality=AreaFactory.create(code="297"),
        year=2023,
        age_band="15-24",
        sex="female",
        population=7000,
        approximate=True,
        source="demo estimate",
    )
    other = PopulationGroup.objects.create(
        municipality=siilinjarvi, year=2023, age_band="75-", sex="male", population=900, source="x"
    )

    result = import_population(DATA / "11re_2023.json")

    assert (result.created, result.updated) == (31, 1)
    estimate.refresh_from_db()
    assert (estimate.population, estimate.approximate) == (7152, False)
    other.refresh_from_db()
    assert (other.population, other.source) == (900, "x")


def test_dry_run_checks_and_counts_but_writes_nothing(municipalities):
    result = import_population(DATA / "11re_2023.json", dry_run=True)

    assert result.created == 32
    assert not PopulationGroup.objects.exists()


# -- other shapes that PxWeb produces -------------------------------------------------------


def test_windows_1252_comma_csv_with_names_and_ready_bands_and_a_given_year(
    municipalities, tmp_path
):
    bands = ["0 - 4", "5 - 9", "10 - 14", "15 - 19", "20 - 24", "25 - 34", "35 - 44"]
    bands += ["45 - 54", "55 - 64", "65 - 74", "75 -"]
    lines = ["Alue,Ikä,Sukupuoli,Väestö 31.12."]
    for name in ("Kuopio", "Idensalmi"):
        for band in bands:
            lines += [f"{name},{band},Miehet,100", f"{name},{band},Naiset,-"]
    path = write_csv(tmp_path, lines, encoding="cp1252")

    import_population(path, year=2024)

    assert population("297", 2024, "0-14", "male") == 300
    assert population("140", 2024, "75-", "male") == 100
    assert population("140", 2024, "75-", "female") == 0


def test_long_csv_with_year_and_content_columns(municipalities, tmp_path):
    lines = ["Vuosi\tAlue\tSukupuoli\tIkä\tTiedot\tarvo"]
    for year in ("2021", "2022"):
        for age in [str(age) for age in range(100)] + ["100-"]:
            for sex in ("Män", "Kvinnor", "Totalt"):
                lines.append(f"{year}\tKU140 Idensalmi\t{sex}\t{age}\tBefolkning 31.12\t2")
    import_population(write_csv(tmp_path, lines))

    assert population("140", 2021, "75-", "female") == 52
    assert population("140", 2022, "0-14", "male") == 30


def test_csv_without_years_needs_the_year_option(municipalities, tmp_path):
    path = write_csv(tmp_path, ["Alue;Ikä;Sukupuoli;Väestö", "Kuopio;0;Miehet;5"])

    assert problems_of(path) == [
        "The file has no year (Vuosi); give the year of its figures with --year."
    ]


def test_jsonstat_with_sparse_values_and_year_given_in_codes(municipalities, tmp_path):
    document = jsonstat(value=lambda area, age, sex, year: 2)
    document["value"] = {str(i): v for i, v in enumerate(document["value"])}
    path = write_json(tmp_path, document)

    import_population(path)

    assert population("297", 2023, "0-14", "female") == 30


def test_jsonstat_version_1_bundle_is_read(municipalities, tmp_path):
    dataset = jsonstat(value=lambda area, age, sex, year: 1)
    old = {
        "dataset": {
            "label": dataset["label"],
            "source": dataset["source"],
            "value": dataset["value"],
            "dimension": {
                **dataset["dimension"],
                "id": dataset["id"],
                "size": dataset["size"],
                "role": dataset["role"],
            },
        }
    }
    path = write_json(tmp_path, old)

    import_population(path)

    assert population("297", 2023, "75-", "male") == 26


# -- everything wrong is listed, nothing is written ----------------------------------------


def test_every_bad_figure_is_listed(municipalities, tmp_path):
    def value(area: str, age: str, sex: str, year: str) -> Any:
        return {("005", "1"): -3, ("006", "1"): 12.5, ("007", "1"): None, ("008", "1"): "x"}.get(
            (age, sex), 4
        )

    document = jsonstat(areas=[("KU297", "Kuopio"), ("KU999", "Tuntematon")], value=value)
    document["status"] = {str(document["value"].index(None)): ".."}
    problems = problems_of(write_json(tmp_path, document))

    assert "Unknown municipality code 999: Tuntematon (KU999)." in problems
    assert "Kuopio (KU297), age 5 (005), Miehet (1), 2023: negative population -3." in problems
    assert (
        "Kuopio (KU297), age 6 (006), Miehet (1), 2023: 12.5 is not a whole number of people."
        in problems
    )
    assert "Kuopio (KU297), age 7 (007), Miehet (1), 2023: the figure is missing ('..')." in (
        problems
    )
    assert "Kuopio (KU297), age 8 (008), Miehet (1), 2023: 'x' is not a number." in problems


def test_missing_and_repeated_csv_rows_are_listed_by_line(municipalities, tmp_path):
    lines = ['"Alue";"Ikä";"Sukupuoli";"2023"']
    for age in range(100):
        for sex in ("Miehet", "Naiset"):
            if (age, sex) != (40, "Naiset"):
                lines.append(f'"KU297 Kuopio";"{age}";"{sex}";10')
    lines += ['"KU297 Kuopio";"100 -";"Miehet";1', '"KU297 Kuopio";"100 -";"Naiset";1']
    lines.append('"KU297 Kuopio";"3";"Miehet";10')
    lines.append('"KU297 Kuopio";"4";"Naiset"')
    lines.append('"KU297 Kuopio";"5";"Naiset";1;2')
    problems = problems_of(write_csv(tmp_path, lines))

    assert problems == [
        "Line 204 has 3 cells but the header has 4.",
        "Line 205 has 5 cells but the header has 4.",
    ]
    problems = problems_of(write_csv(tmp_path, lines[:-2]))
    assert problems == [
        "line 203: a second figure for KU297 Kuopio, age 3, Miehet, 2023.",
        "No figure for municipality 297, 2023, age 40, female.",
    ]


def test_age_band_partly_covered_is_named(municipalities, tmp_path):
    path = write_json(tmp_path, jsonstat(ages=SINGLE_YEARS[:-1]))

    assert problems_of(path) == [
        "The age band 75- is only partly covered by the file's age groups (missing ages 100-)."
    ]


def test_age_group_crossing_bands_is_named(municipalities, tmp_path):
    ages = [("0-9", "0 - 9"), ("10-19", "10 - 19"), ("20-24", "20 - 24")] + SINGLE_YEARS[25:]
    problems = problems_of(write_json(tmp_path, jsonstat(ages=ages)))

    assert problems == [
        "The age group 10-19 crosses the bands 0-14 and 15-24; download single years or groups "
        "inside the bands.",
        "The age band 0-14 is only partly covered by the file's age groups (missing ages 10-14).",
        "The age band 15-24 is only partly covered by the file's age groups (missing ages 15-19).",
    ]


def test_overlapping_age_groups_and_bands_not_covered(municipalities, tmp_path):
    ages = [("0-4", "0 - 4"), ("000", "0"), *SINGLE_YEARS[5:15]]
    problems = problems_of(write_json(tmp_path, jsonstat(ages=ages)))

    assert problems[0] == "The age groups 0 and 0-4 overlap; keep one set of ages."
    assert "The age band 15-24 is not covered by the file's age groups." in problems
    assert "The age band 75- is not covered by the file's age groups." in problems


def test_mismatched_jsonstat_dimensions_are_listed(municipalities, tmp_path):
    document = jsonstat(extra={"Tiedot": ["vaesto", "vaesto_osuus"]})
    document["size"][1] = 3
    document["value"] = document["value"][:-1]
    del document["dimension"]["Sukupuoli"]
    document["id"] = [name for name in document["id"] if name != "Sukupuoli"]
    document["size"] = document["size"][:2] + document["size"][3:]

    problems = problems_of(write_json(tmp_path, document))

    assert problems == [
        "Dimension 'Alue' has 1 categories but its size is 3.",
        "The file has no sex (Sukupuoli) dimension.",
        "Dimension 'Tiedot' has 2 categories (vaesto, vaesto_osuus); download the table with "
        "only the population figure selected.",
        f"The dataset has {len(document['value'])} values but its dimensions make {101 * 2} cells.",
    ]


def test_files_that_are_not_population_tables(municipalities, tmp_path):
    assert problems_of(write_json(tmp_path, {"class": "collection"})) == [
        "The file is a JSON-stat collection; download one dataset (json-stat2)."
    ]
    broken = tmp_path / "broken.json"
    broken.write_text('{"class": "dataset",', encoding="utf-8")
    assert problems_of(broken)[0].startswith("The file is not valid JSON")
    other = write_csv(tmp_path, ["Name;Value", "a;1"])
    assert problems_of(other)[0].startswith("No header row with area (Alue), age (Ikä) and sex")
    assert problems_of(other, file_format="jsonstat")[0].startswith("The file is not valid JSON")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("0", AgeGroup(0, 0)),
        ("007", AgeGroup(7, 7)),
        ("100 -", AgeGroup(100, None)),
        ("100-", AgeGroup(100, None)),
        ("0 - 4", AgeGroup(0, 4)),
        ("75-", AgeGroup(75, None)),
        ("85+", AgeGroup(85, None)),
        ("20-24 vuotta", AgeGroup(20, 24)),
        ("Yhteensä", None),
        ("9-5", None),
    ],
)
def test_pxweb_age_texts(text, group):
    assert age_group(text) == group


# -- the command ---------------------------------------------------------------------------


def test_command_reports_what_it_did(municipalities, capsys):
    call_command("import_population", str(DATA / "11re_2023.json"), "--no-progress")

    out = capsys.readouterr().out
    assert "Population 2023 for 2 municipalities: 32 cells were created, 0 updated" in out
    assert "Totals skipped: KOKO MAA (SSS), MK11 Pohjois-Savo (MK11)." in out


def test_command_dry_run_says_so(municipalities, capsys):
    call_command(
        "import_population", str(DATA / "11re_2022_2023.csv"), "--dry-run", "--year", "2023"
    )

    out = capsys.readouterr().out
    assert "32 cells would be created" in out
    assert "Dry run: nothing was written." in out
    assert not PopulationGroup.objects.exists()


def test_command_fails_with_every_problem_listed(municipalities, tmp_path, capsys):
    path = write_json(tmp_path, jsonstat(areas=[("KU297", "Kuopio"), ("KU998", "X")]))

    with pytest.raises(CommandError, match="1 problem") as caught:
        call_command("import_population", str(path), "--format", "jsonstat")

    assert caught.value.returncode == 1
    assert "Unknown municipality code 998: X (KU998)." in capsys.readouterr().err
    assert not PopulationGroup.objects.exists()


def test_command_missing_file(db):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_population", "/nonexistent/population.json")


def test_a_whole_country_file_can_be_loaded_for_the_region_only(municipalities, tmp_path):
    areas = [("SSS", "KOKO MAA"), ("KU297", "Kuopio"), ("KU091", "Helsinki"), ("KU049", "Espoo")]
    path = write_json(tmp_path, jsonstat(areas=areas))

    result = import_population(path, only_known=True)

    assert result.skipped_unknown == ["Helsinki (KU091)", "Espoo (KU049)"]
    assert set(PopulationGroup.objects.values_list("municipality__code", flat=True)) == {"297"}


def test_command_counts_every_problem_even_when_it_lists_only_some(
    municipalities, tmp_path, capsys
):
    areas = [("KU297", "Kuopio")] + [(f"KU{n:03d}", f"Kunta {n}") for n in range(500, 540)]
    path = write_json(tmp_path, jsonstat(areas=areas))

    with pytest.raises(CommandError, match="^40 problem"):
        call_command("import_population", str(path))

    err = capsys.readouterr().err
    assert "Unknown municipality code 524: Kunta 524 (KU524)." in err
    assert "Kunta 525" not in err
    assert "… and 15 more area problems." in err


def test_command_leaves_out_unknown_municipalities_when_asked(municipalities, tmp_path, capsys):
    areas = [("KU297", "Kuopio")] + [(f"KU{n:03d}", f"Kunta {n}") for n in range(500, 512)]
    path = write_json(tmp_path, jsonstat(areas=areas))

    call_command("import_population", str(path), "--only-known-municipalities")

    out = capsys.readouterr().out
    assert "Population 2023 for 1 municipalities: 16 cells were created" in out
    assert "left out: 12 (Kunta 500 (KU500), Kunta 501 (KU501)," in out
    assert "and 2 more)." in out


def test_many_missing_rows_are_counted_all(municipalities, tmp_path):
    lines = ["Alue;Ikä;Sukupuoli;2023"]
    lines += [f"Kuopio;{age};Miehet;3" for age in range(100)] + ["Kuopio;100 -;Miehet;3"]
    lines += [f"Kuopio;{age};Naiset;3" for age in range(60)]

    with pytest.raises(PopulationImportError) as caught:
        import_population(write_csv(tmp_path, lines))

    assert caught.value.total == 41
    assert caught.value.problems[0] == "No figure for municipality 297, 2023, age 60, female."
    assert caught.value.problems[-1] == "… and 16 more missing problems."


def test_a_file_of_totals_only_says_what_to_download(municipalities, tmp_path):
    path = write_json(tmp_path, jsonstat(sexes=[("SSS", "Yhteensä")]))

    assert problems_of(path) == [
        "The file has no figures by municipality, age and sex, only totals; select the "
        "municipalities, every age and men and women when downloading."
    ]
