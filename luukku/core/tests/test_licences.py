"""Every runtime dependency stays under a licence that EUPL-1.2 can live with, and the table in
docs/decisions/0001-licence.md stays true as the lock file changes.

The licence is read from each installed package's metadata: the SPDX `License-Expression` when
the package declares one, else its `License` field, else its trove classifiers.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LOCK_FILE = ROOT / "requirements" / "base.txt"
DECISION = ROOT / "docs" / "decisions" / "0001-licence.md"

# Permissive licences, and weak copyleft that the EUPL's compatibility appendix names (LGPL,
# MPL) or that only covers the library's own files. GPL, AGPL and SSPL are not here: a runtime
# dependency under them would change what Luukku's own licence can be.
ALLOWED = {
    "MIT",
    "MIT-CMU",  # the historical PIL licence (Pillow): permissive, MIT-style
    "BSD",  # "BSD" without a clause count: 2- or 3-clause, both permissive
    "BSD-2-Clause",
    "BSD-3-Clause",
    "Apache-2.0",
    "PSF-2.0",
    "ISC",
    "0BSD",  # public-domain-like BSD (parts of numpy)
    "Zlib",
    "CC0-1.0",  # public domain dedication (numpy's bundled data)
    "MPL-2.0",
    "LGPL-2.1",
    "LGPL-3.0",
    "EUPL-1.2",
}

# Free-text `License` fields and trove classifiers, mapped to SPDX identifiers.
_ALIASES = {
    "mit": "MIT",
    "mit license": "MIT",
    "bsd": "BSD",
    "bsd license": "BSD",
    "new bsd": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "python software foundation license": "PSF-2.0",
    "isc license (iscl)": "ISC",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0",
}
_SPDX_SUFFIXES = re.compile(r"-(only|or-later)$")


def runtime_requirements() -> list[str]:
    """The distribution names pinned in the runtime lock file."""
    names = []
    for line in LOCK_FILE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", line)
        if match:
            names.append(match.group(1).lower())
    return names


def _normalise(term: str) -> str:
    term = term.strip().strip("()")
    return _ALIASES.get(term.lower(), term)


def licence_expression(name: str) -> str:
    """The package's licence as an SPDX-like expression, e.g. "BSD-3-Clause OR Apache-2.0"."""
    meta = metadata.metadata(name)
    declared = meta["License-Expression"] or ""
    if not declared:
        field = (meta["License"] or "").strip()
        # Some packages paste the whole licence text in this field: then it names nothing.
        if field and "\n" not in field and len(field) < 60 and field.lower() != "dual license":
            declared = field
    if not declared:
        classifiers = [
            c.split(" :: ")[-1]
            for c in meta.get_all("Classifier") or []
            if c.startswith("License :: OSI Approved :: ")
        ]
        declared = " OR ".join(classifiers)
    alternatives = [
        " AND ".join(_normalise(part) for part in re.split(r"\s+AND\s+", option))
        for option in re.split(r"\s+OR\s+", declared)
        if option.strip()
    ]
    return " OR ".join(alternatives)


def is_allowed(expression: str) -> bool:
    """An OR needs one acceptable alternative; an AND needs every part acceptable."""
    return any(
        all(_SPDX_SUFFIXES.sub("", part) in ALLOWED for part in option.split(" AND "))
        for option in expression.split(" OR ")
        if option
    )


def documented_licences() -> dict[str, str]:
    """The dependency table of the licence decision: name → licence."""
    rows = {}
    for line in DECISION.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] and not cells[0].startswith(("Package", "---")):
            rows[cells[0].strip("`").lower()] = cells[2]
    return rows


def test_the_lock_file_is_read():
    names = runtime_requirements()
    assert {"django", "simplemma", "psycopg", "celery"} <= set(names)


@pytest.mark.parametrize("name", runtime_requirements())
def test_runtime_dependency_licence_is_compatible_with_eupl(name: str) -> None:
    expression = licence_expression(name)
    assert expression, f"{name} declares no licence: check it by hand and add it to the aliases"
    assert is_allowed(expression), f"{name} is under {expression}, not in the allowed list"


def test_the_decision_lists_every_runtime_dependency_with_its_licence():
    expected = {name: licence_expression(name) for name in runtime_requirements()}
    assert documented_licences() == expected


@pytest.mark.parametrize(
    ("expression", "allowed"),
    [
        ("MIT", True),
        ("BSD-3-Clause OR Apache-2.0", True),
        ("MPL-2.0 AND MIT", True),
        ("LGPL-3.0-only", True),
        ("GPL-3.0-or-later", False),
        ("GPL-3.0", False),
        ("GPL-3.0 OR MIT", True),
        ("MIT AND AGPL-3.0", False),
        ("SSPL-1.0", False),
        ("", False),
    ],
)
def test_the_licence_rule_itself(expression: str, allowed: bool) -> None:
    assert is_allowed(expression) is allowed
