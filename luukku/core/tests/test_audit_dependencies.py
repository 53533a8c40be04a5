"""bin/audit-dependencies: a locked version with a known advisory fails the build.

The script runs pip-audit first; where pip-audit cannot reach PyPI's vulnerability data it checks
an offline snapshot of the PyPA Advisory Database. These tests use the snapshot committed in
luukku/core/data/advisories/ (no network) and feed pip-audit's JSON report in directly.
"""

from __future__ import annotations

import datetime as dt
import importlib.machinery
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "bin" / "audit-dependencies"
SNAPSHOT = ROOT / "luukku" / "core" / "data" / "advisories" / "pypa-advisories.json"


def load_script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("audit_dependencies", str(SCRIPT))
    spec = importlib.util.spec_from_loader("audit_dependencies", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_dependencies"] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


audit_script = load_script()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def write_lock(tmp_path: Path, *pins: str) -> Path:
    lock = tmp_path / "fake-lock.txt"
    lock.write_text(
        "".join(f"{pin} \\\n    --hash=sha256:{'0' * 64}\n    # via -r base.in\n" for pin in pins)
    )
    return lock


def test_an_old_django_in_a_lock_fails_naming_the_advisory(tmp_path):
    lock = write_lock(tmp_path, "django==5.0.6")

    result = run("--offline", "--lock", str(lock))

    assert result.returncode == 1, result.stdout
    # Django 5.0.6 is before 5.0.7, which fixed CVE-2024-38875 (urlize denial of service).
    assert "django 5.0.6: PYSEC-2024-56 (CVE-2024-38875); fixed in: 4.2.14, 5.0.7" in result.stdout
    assert "FAIL:" in result.stdout


def test_the_fixed_django_release_passes_that_advisory(tmp_path):
    lock = write_lock(tmp_path, "django==5.0.7")

    result = run("--offline", "--lock", str(lock))

    assert "PYSEC-2024-56" not in result.stdout
    assert "PYSEC-2024-67" in result.stdout  # 5.0.7 still falls to the 5.0.8 fixes


def test_our_locks_have_no_known_vulnerability_in_the_snapshot():
    result = run("--offline")

    assert result.returncode == 0, result.stdout
    assert "OK: no known vulnerability" in result.stdout
    # The operator sees which data decided and how old it is.
    assert "offline PyPA Advisory Database snapshot" in result.stdout
    assert "dated 2024-10-10" in result.stdout


def test_an_old_snapshot_warns_but_does_not_fail(tmp_path):
    lock = write_lock(tmp_path, "django==5.2.19")

    fresh = run("--offline", "--lock", str(lock), "--today", "2024-11-01")
    stale = run("--offline", "--lock", str(lock), "--today", "2025-02-01")

    assert fresh.returncode == stale.returncode == 0
    assert "WARNING" not in fresh.stdout
    assert "WARNING: the advisory snapshot is 114 days old" in stale.stdout


def test_a_package_the_snapshot_was_not_built_for_fails(tmp_path):
    lock = write_lock(tmp_path, "django==5.2.19", "left-pad-py==1.0")

    result = run("--offline", "--lock", str(lock))

    assert result.returncode == 1
    assert "not built for these locked packages" in result.stdout
    assert "left-pad-py" in result.stdout


def test_a_withdrawn_advisory_does_not_fail_the_audit(tmp_path):
    # PYSEC-2023-73 named every redis version (introduced 0, never fixed) and was withdrawn.
    data = json.loads(SNAPSHOT.read_text())
    (withdrawn,) = [a for a in data["advisories"] if a["id"] == "PYSEC-2023-73"]
    assert withdrawn["withdrawn"]
    lock = write_lock(tmp_path, "redis==8.1.0")

    assert run("--offline", "--lock", str(lock)).returncode == 0

    del withdrawn["withdrawn"]
    unwithdrawn = tmp_path / "snapshot.json"
    unwithdrawn.write_text(json.dumps(data))
    result = run("--offline", "--lock", str(lock), "--snapshot", str(unwithdrawn))
    assert result.returncode == 1
    assert "redis 8.1.0: PYSEC-2023-73" in result.stdout


def test_an_allowlisted_advisory_passes_until_its_expiry(tmp_path):
    lock = write_lock(tmp_path, "django==5.0.8")  # affected only by PYSEC-2024-102 (5.0.9)
    allowlist = tmp_path / "allowlist.toml"
    allowlist.write_text(
        '[[accept]]\nid = "CVE-2024-45230"\n'
        'reason = "We do not use urlize."\nexpires = 2027-01-31\n'
    )

    accepted = run("--offline", "--lock", str(lock), "--allowlist", str(allowlist))
    expired = run(
        "--offline", "--lock", str(lock), "--allowlist", str(allowlist), "--today", "2027-02-01"
    )

    assert accepted.returncode == 0, accepted.stdout
    assert "PYSEC-2024-102 until 2027-01-31 (We do not use urlize.)" in accepted.stdout
    assert expired.returncode == 1
    assert "expired on 2027-01-31" in expired.stdout


def test_an_allowlist_entry_without_a_reason_stops_the_audit(tmp_path):
    lock = write_lock(tmp_path, "django==5.0.8")
    allowlist = tmp_path / "allowlist.toml"
    allowlist.write_text('[[accept]]\nid = "PYSEC-2024-102"\nexpires = 2027-01-31\n')

    result = run("--offline", "--lock", str(lock), "--allowlist", str(allowlist))

    assert result.returncode == 2
    assert "needs id, a written reason and an expires date" in result.stderr


@pytest.mark.parametrize(
    ("events", "version", "affected"),
    [
        # introduced 0: every version up to the fix.
        ([{"introduced": "0"}, {"fixed": "1.4"}], "0.1", True),
        ([{"introduced": "0"}, {"fixed": "1.4"}], "1.3.9", True),
        ([{"introduced": "0"}, {"fixed": "1.4"}], "1.4", False),
        ([{"introduced": "0"}, {"fixed": "1.4"}], "1.4rc1", True),
        ([{"introduced": "0"}, {"fixed": "1.4"}], "2.0", False),
        # introduced and never fixed: everything from there on.
        ([{"introduced": "2.0"}], "1.9", False),
        ([{"introduced": "2.0"}], "9.9", True),
        # last_affected includes its own version, unlike fixed.
        ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2", True),
        ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2.1", False),
        ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "0.9", False),
        # two branches, events out of order as some advisories list them.
        (
            [{"introduced": "5.0"}, {"fixed": "5.0.7"}, {"introduced": "4.2"}, {"fixed": "4.2.14"}],
            "4.2.13",
            True,
        ),
        (
            [{"introduced": "5.0"}, {"fixed": "5.0.7"}, {"introduced": "4.2"}, {"fixed": "4.2.14"}],
            "4.2.14",
            False,
        ),
        (
            [{"introduced": "5.0"}, {"fixed": "5.0.7"}, {"introduced": "4.2"}, {"fixed": "4.2.14"}],
            "4.3",
            False,
        ),
        (
            [{"introduced": "5.0"}, {"fixed": "5.0.7"}, {"introduced": "4.2"}, {"fixed": "4.2.14"}],
            "5.0",
            True,
        ),
        # introduced and fixed at the same version: an empty range.
        ([{"introduced": "3.0"}, {"fixed": "3.0"}], "3.0", False),
    ],
)
def test_osv_ecosystem_ranges(events, version, affected):
    assert audit_script.in_ecosystem_range(Version(version), events) is affected


def test_an_explicit_versions_list_counts_even_outside_the_ranges():
    entry = {
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.1"}]}],
        "versions": ["1.0", "2.0"],
    }

    assert audit_script.affected_entry_matches("1.0.0", entry)  # 1.0 == 1.0.0 in PEP 440
    assert audit_script.affected_entry_matches("2.0.5", entry)
    assert not audit_script.affected_entry_matches("1.1", entry)


def pip_audit_report(vulnerable: bool, skipped: bool) -> dict:
    """A report shaped like pip-audit's `--format json` output."""
    dependency: dict[str, object]
    if skipped:
        dependency = {
            "name": "django",
            "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.0.6)",
        }
    else:
        vulns = [
            {
                "id": "GHSA-test-0001",
                "fix_versions": ["5.0.7"],
                "aliases": ["CVE-2024-38875"],
                "description": "urlize denial of service",
            }
        ]
        dependency = {"name": "Django", "version": "5.0.6", "vulns": vulns if vulnerable else []}
    return {"dependencies": [dependency], "fixes": []}


def test_when_pip_audit_audited_everything_its_answer_decides(tmp_path, monkeypatch, capsys):
    lock = write_lock(tmp_path, "django==5.0.6")
    missing_snapshot = tmp_path / "no-snapshot.json"

    monkeypatch.setattr(audit_script, "run_pip_audit", lambda locks: pip_audit_report(True, False))
    status = audit_script.audit(
        [lock], missing_snapshot, tmp_path / "none.toml", offline=False, today=dt.date(2026, 1, 1)
    )

    out = capsys.readouterr().out
    assert status == 1
    assert "django 5.0.6: GHSA-test-0001 (CVE-2024-38875); fixed in: 5.0.7 [pip-audit]" in out
    assert "offline" not in out  # the snapshot was not needed (and does not exist here)

    monkeypatch.setattr(audit_script, "run_pip_audit", lambda locks: pip_audit_report(False, False))
    status = audit_script.audit(
        [lock], missing_snapshot, tmp_path / "none.toml", offline=False, today=dt.date(2026, 1, 1)
    )
    assert status == 0


def test_packages_pip_audit_could_not_audit_are_checked_offline(tmp_path, monkeypatch, capsys):
    lock = write_lock(tmp_path, "django==5.0.6")

    monkeypatch.setattr(audit_script, "run_pip_audit", lambda locks: pip_audit_report(False, True))
    status = audit_script.audit(
        [lock], SNAPSHOT, tmp_path / "none.toml", offline=False, today=dt.date(2026, 1, 1)
    )

    out = capsys.readouterr().out
    assert status == 1
    assert "pip-audit audited 0 of 1 packages (1 could not be audited)" in out
    assert "django 5.0.6: PYSEC-2024-56" in out
    assert "[offline snapshot]" in out


def test_the_snapshot_holds_only_our_packages_and_says_where_it_came_from():
    data = json.loads(SNAPSHOT.read_text())

    assert data["licence"] == "CC-BY-4.0"
    assert "PyPA Advisory Database" in data["attribution"]
    assert len(data["commit"]) == 40
    assert dt.datetime.fromisoformat(data["date"]).tzinfo is not None
    named = {e["package"]["name"] for a in data["advisories"] for e in a["affected"]}
    assert named <= set(data["packages"])
