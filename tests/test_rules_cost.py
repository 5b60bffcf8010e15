"""Issue 13's cost budget rule (PRR-COST-001) on hand-made facts: the KPI is readiness.cost.monthly_budget_usd."""

from __future__ import annotations

import dataclasses

import pytest

from prr_policies.controls import evaluate
from prr_policies.facts import AccountBudgets, Budget, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings

S = load_settings()  # the defaults' KPI: 1000 USD a month
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN
GOOD = Budget("monthly", "COST", 1000.0, "USD", "MONTHLY", True)


@pytest.mark.parametrize("budgets, whole, expected", [
    ((GOOD,), False, P),
    ((dataclasses.replace(GOOD, limit_amount=3000.0, time_unit="QUARTERLY"),), False, P),  # 1000 a month
    ((dataclasses.replace(GOOD, limit_amount=40.0, time_unit="DAILY"),), False, F),  # 1200 a month
    ((dataclasses.replace(GOOD, limit_amount=1000.01),), False, F),
    ((dataclasses.replace(GOOD, notified=False),), False, F),
    ((dataclasses.replace(GOOD, limit_amount=None),), False, F),
    ((dataclasses.replace(GOOD, limit_unit="GB"),), False, F),
    ((dataclasses.replace(GOOD, budget_type="USAGE"),), False, NA),
    ((dataclasses.replace(GOOD, budget_type="USAGE"),), True, F),  # the account has no cost budget
    ((), True, F),
    ((dataclasses.replace(GOOD, notified=U),), True, UNK),
    ((dataclasses.replace(GOOD, notified=U), GOOD), True, P),  # one good budget is enough
    ((dataclasses.replace(GOOD, notified=False), dataclasses.replace(GOOD, limit_amount=U)), True, UNK),
    ((dataclasses.replace(GOOD, budget_type=U),), True, UNK),
])
def test_cost_budget(budgets, whole, expected):
    assert evaluate("PRR-COST-001", AccountBudgets("a", budgets, whole), S).status is expected


def test_unreadable_budgets_are_unknown_and_settings_can_turn_the_check_off():
    assert evaluate("PRR-COST-001", AccountBudgets("a", U, True), S).status is UNK
    off = dataclasses.replace(S, cost=dataclasses.replace(S.cost, budget_required=False))
    assert evaluate("PRR-COST-001", AccountBudgets("a", (), True), off).status is NA


def test_the_kpi_is_the_readiness_cost_target():
    cheap = dataclasses.replace(S, readiness=dataclasses.replace(S.readiness, cost=dataclasses.replace(S.readiness.cost, monthly_budget_usd=500)))
    assert evaluate("PRR-COST-001", AccountBudgets("a", (GOOD,), True), cheap).status is F
