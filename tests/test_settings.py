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
