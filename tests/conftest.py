from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXAMPLE = ROOT / "examples" / "orders"  # the example settings and everything generated from them
STACKS = EXAMPLE / "stack"


def items_dir(control: str) -> Path:
    """The recorded configuration items of one control."""
    return FIXTURES / "controls" / control / "config_items"


def all_items() -> list[Path]:
    return sorted(FIXTURES.glob("controls/*/config_items/*.json"))

settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def fixture_settings():
    from prr_policies.settings import load_settings

    return load_settings(FIXTURES / "prr.yaml")
