"""Issue 14: the PRR's numbers (SLO, latency, throughput, RTO/RPO, retention, cost, on-call) live in
prr.yaml's `readiness:` section, validated like every other setting."""

from __future__ import annotations

import pytest

from prr_policies.errors import InputError
from prr_policies.settings import load_settings
from tests.conftest import EXAMPLE


def test_defaults_state_the_prr_targets():
    r = load_settings().readiness
    assert r.availability_slo_percent == 99.9 and r.rto_minutes == 240 and r.rpo_minutes == 15
    assert round(r.error_budget_minutes(), 1) == 43.2  # 0.1% of 30 days


def test_example_settings_page_people_in_order():
    r = load_settings(EXAMPLE / "prr.yaml").readiness
    assert [s.after_minutes for s in r.on_call.escalation] == [0, 15, 30, 60]
    assert {c.name for c in r.on_call.contacts} == {s.contact for s in r.on_call.escalation}


ON_CALL = ("readiness:\n  on_call:\n    contacts:\n      - {name: a, role: primary, reach: pager}\n"
           "      - {name: b, role: lead, reach: phone}\n    escalation:\n")


@pytest.mark.parametrize("text, path, reason", [
    ("readiness:\n  availability_slo_percent: 100\n", "readiness.availability_slo_percent", "between 0 and 100"),
    ("readiness:\n  latency:\n    p50_ms: 900\n    p99_ms: 100\n", "readiness.latency.p50_ms", "greater than p99_ms"),
    ("readiness:\n  throughput:\n    sustained_rps: 10\n    burst_rps: 5\n", "readiness.throughput.burst_rps", "less than"),
    ("readiness:\n  rpo_minutes: 0\n", "readiness.rpo_minutes", "at least 1"),
    ("readiness:\n  cost:\n    monthly_budget_usd: -5\n", "readiness.cost.monthly_budget_usd", "more than 0"),
    ("readiness:\n  region: Ireland\n", "readiness.region", "not a Region"),
    (ON_CALL + "      - {after_minutes: 5, contact: a}\n", "readiness.on_call.escalation[0].after_minutes", "0 minutes"),
    (ON_CALL + "      - {after_minutes: 0, contact: c}\n", "readiness.on_call.escalation[0].contact", "not one of the contacts"),
    (ON_CALL + "      - {after_minutes: 0, contact: a}\n      - {after_minutes: 0, contact: b}\n",
     "readiness.on_call.escalation[1].after_minutes", "not after the previous step"),
    (ON_CALL + "      - {after_minutes: 0, contact: a}\n      - {after_minutes: 300, contact: b}\n",
     "readiness.on_call.escalation[1].after_minutes", "before the RTO"),
    (ON_CALL + "      []\n", "readiness.on_call.escalation", "no escalation step"),
    ("readiness:\n  on_call:\n    contacts:\n      - {name: a, role: '', reach: x}\n    escalation: []\n",
     "readiness.on_call.contacts[0].role", "must not be empty"),
])
def test_invalid_readiness_names_file_and_path(tmp_path, text, path, reason):
    f = tmp_path / "prr.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as err:
        load_settings(f)
    assert (err.value.source, err.value.path) == (str(f), path)
    assert reason in err.value.reason
