"""Issue 11: the runtime deprecation table comes from cfn-lint's AWS Lambda runtime lifecycle data
(tools/runtimes.py), not from memory; prr.yaml overrides stay; the catalog names the source."""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest
import yaml

from prr_policies.settings import RUNTIMES_FILE, load_settings

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import runtimes  # noqa: E402


def test_table_equals_the_installed_cfn_lint_lifecycle():
    """Drift test: regenerate from the installed cfn-lint and compare (run tools/runtimes.py when
    cfn-lint moves)."""
    pytest.importorskip("cfnlint")
    version, data = runtimes.lifecycle()
    assert RUNTIMES_FILE.read_text(encoding="utf-8") == runtimes.render(version, data), "run python tools/runtimes.py"
    assert runtimes.main(["--check"]) == 0


def test_dates_the_old_table_had_wrong_are_now_cfn_lints():
    """The dates issue 11 found wrong (written from memory) are AWS's, as cfn-lint ships them."""
    table = yaml.safe_load(RUNTIMES_FILE.read_text())["deprecation_dates"]
    assert table["java17"] == table["java8.al2"] == datetime.date(2027, 6, 30)
    assert table["python3.10"] == datetime.date(2026, 10, 31)
    assert table["provided.al2"] == datetime.date(2026, 7, 31)
    assert table["go1.x"] == table["provided"] == datetime.date(2024, 1, 8)
    assert "ruby4.0" in table


def test_prr_yaml_overrides_the_table(tmp_path):
    path = tmp_path / "prr.yaml"
    path.write_text("lambda:\n  runtime:\n    deprecation_dates:\n      python3.13: 2026-01-01\n      nodejs99.x: 2030-01-01\n")
    s = load_settings(path)
    assert s.runtime_deprecation("python3.13") == datetime.date(2026, 1, 1)
    assert s.runtime_deprecation("nodejs99.x") == datetime.date(2030, 1, 1)
    assert load_settings(None).runtime_deprecation("python3.13") == datetime.date(2029, 6, 30)  # the table's
    assert load_settings(None).runtime_deprecation("nodejs99.x") is None


def test_catalog_names_the_date_source():
    proc = subprocess.run([sys.executable, "-m", "prr_policies.cli", "catalog", "--control", "PRR-LAMBDA-008"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Runtime deprecation dates: cfn-lint" in proc.stdout and "LmbdRuntimeLifecycle.json" in proc.stdout
    other = subprocess.run([sys.executable, "-m", "prr_policies.cli", "catalog", "--control", "PRR-LAMBDA-001"],
                           capture_output=True, text=True)
    assert "Runtime deprecation dates" not in other.stdout
