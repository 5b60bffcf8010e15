from __future__ import annotations

import datetime

import pytest

from prr_policies.errors import InputError
from prr_policies.settings import load_settings, settings_path_from_env


def test_defaults_load():
    s = load_settings()
    assert s.lambda_.timeout.max_seconds == 900
    assert s.lambda_.code_signing.exempt_package_types == ("Image",)
    assert s.runtime_deprecation("python3.8") == datetime.date(2024, 10, 14)


def test_override_merges_over_defaults(tmp_path):
    f = tmp_path / "prr.yaml"
    f.write_text("lambda:\n  timeout:\n    max_seconds: 29\n  runtime:\n    deprecation_dates:\n      python3.13: 2027-01-01\n")
    s = load_settings(f)
    assert s.lambda_.timeout.max_seconds == 29 and s.lambda_.timeout.min_seconds == 1
    assert s.runtime_deprecation("python3.13") == datetime.date(2027, 1, 1)
    assert s.runtime_deprecation("python3.12") == datetime.date(2028, 10, 31)
    assert s.source == str(f)


@pytest.mark.parametrize("text, path, reason", [
    ("lambda:\n  timout: 3\n", "lambda.timout", "unknown field"),
    ("lambda:\n  timeout:\n    max_seconds: ten\n", "lambda.timeout.max_seconds", "expected int"),
    ("lambda:\n  timeout:\n    min_seconds: 100\n    max_seconds: 10\n", "lambda.timeout.min_seconds", "greater than"),
    ("lambda:\n  reserved_concurrency:\n    min: 0\n", "lambda.reserved_concurrency.min", "at least 1"),
    ("lambda:\n  require_vpc: maybe\n", "lambda.require_vpc", "expected bool"),
    ("lambda:\n  runtime:\n    as_of: someday\n", "lambda.runtime.as_of", "expected a date"),
    ("lambda: [1, 2\n", "line 2, column 1", "not valid YAML"),
    ("- a list\n", "", "mapping at the top level"),
])
def test_invalid_settings_name_file_and_path(tmp_path, text, path, reason):
    f = tmp_path / "prr.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as err:
        load_settings(f)
    assert err.value.source == str(f)
    assert err.value.path == path
    assert reason in err.value.reason


def test_env_var_must_name_an_existing_file(monkeypatch, tmp_path):
    monkeypatch.setenv("PRR_SETTINGS", str(tmp_path / "missing.yaml"))
    with pytest.raises(InputError, match="does not exist"):
        settings_path_from_env()


def test_local_prr_yaml_is_found(monkeypatch, tmp_path):
    monkeypatch.delenv("PRR_SETTINGS", raising=False)
    assert settings_path_from_env(tmp_path) is None
    (tmp_path / "prr.yaml").write_text("version: 1\n")
    assert settings_path_from_env(tmp_path) == tmp_path / "prr.yaml"


@pytest.mark.parametrize("text, path, lines", [
    ("lambda:\n  timeout: {max_seconds: 29}\n  require_vpc: true\n  timeout: {min_seconds: 3}\n", "lambda.timeout", "lines 2 and 4"),
    ("lambda:\n  require_vpc: true\nsqs:\n  cmk_required: false\nlambda:\n  require_vpc: false\n", "lambda", "lines 1 and 5"),
    ("guardrails:\n  allowed_regions: [eu-west-1]\n  tags:\n    required:\n      owner: []\n      owner: [a]\n", "guardrails.tags.required.owner",
     "lines 5 and 6"),
])
def test_duplicate_keys_are_an_error_naming_the_key_and_lines(tmp_path, text, path, lines):
    """Issue 9: PyYAML keeps the last of two equal keys, so a second `timeout:` (or a second
    `lambda:` block) silently replaced the first and the settings were not what the file said."""
    f = tmp_path / "prr.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as err:
        load_settings(f)
    assert err.value.source == str(f) and err.value.path == path
    assert "duplicate key" in err.value.reason and lines in err.value.reason


def test_yaml_merge_keys_and_aliases_are_not_duplicates(tmp_path):
    """A `<<:` merge that an explicit key overrides is YAML's own override, not a duplicate."""
    f = tmp_path / "prr.yaml"
    f.write_text("lambda:\n  timeout: &t {min_seconds: 2, max_seconds: 30}\n  memory: {min_mb: 128, max_mb: 512}\n"
                 "  reserved_concurrency:\n    <<: {min: 1, max: 10}\n    max: 20\n")
    s = load_settings(f)
    assert s.lambda_.reserved_concurrency.max == 20 and s.lambda_.timeout.max_seconds == 30


def test_duplicate_keys_in_the_catalog_are_an_error(tmp_path):
    """Issue 9: the catalog loader shares the settings' YAML loader, so a control with two
    `severity:` keys is refused instead of keeping the last one."""
    import shutil

    from prr_policies.catalog import CATALOG_DIR, load_catalog

    for f in CATALOG_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    controls = tmp_path / "controls.yaml"
    text = controls.read_text()
    first = text.index("    severity: ")
    line_no = text[:first].count("\n") + 1
    controls.write_text(text[:first] + "    severity: LOW\n" + text[first:])
    with pytest.raises(InputError) as err:
        load_catalog(tmp_path)
    assert err.value.source == str(controls)
    assert err.value.path == "controls[0].severity" and f"lines {line_no} and {line_no + 1}" in err.value.reason


def test_a_settings_file_that_is_not_utf8_is_an_input_error(tmp_path):
    """Issue 9 (fuzzing): a file that is not UTF-8 raised UnicodeDecodeError, not InputError."""
    f = tmp_path / "prr.yaml"
    f.write_bytes(b"lambda:\n  require_vpc: \xff\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_settings(f)
