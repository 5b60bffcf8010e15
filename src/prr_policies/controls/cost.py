"""Rules for what a stack costs: budgets and the processor architecture."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, first_unknown, rule, unknown
from prr_policies.facts import AccountBudgets, LambdaFunction, Unknown
from prr_policies.settings import Settings


@rule("PRR-LAMBDA-023")
def arm64_preferred(fn: LambdaFunction, settings: Settings) -> Verdict:
    if not settings.cost.prefer_arm64:
        return (NA, "Settings do not prefer arm64.")
    if isinstance(fn.architectures, Unknown):
        return unknown("The architecture", fn.architectures)
    if "arm64" in (fn.architectures or ()):
        return (P, "The function runs on arm64 (Graviton).")
    return (F, f"The function runs on {', '.join(fn.architectures or ('x86_64',))}; arm64 costs less per GB-second "
               "for the same work.")


# Monthly equivalents of a budget's period, to compare it with the monthly cost KPI.
_PER_MONTH = {"DAILY": 30.0, "MONTHLY": 1.0, "QUARTERLY": 1 / 3, "ANNUALLY": 1 / 12}


@rule("PRR-COST-001")
def cost_budget(a: AccountBudgets, settings: Settings) -> Verdict:
    """A cost budget notifies someone before spend passes the cost KPI (readiness.cost.monthly_budget_usd)."""
    if not settings.cost.budget_required:
        return (NA, "Settings do not require a cost budget.")
    if isinstance(a.budgets, Unknown):
        return unknown("The account's budgets", a.budgets)
    kpi = settings.readiness.cost.monthly_budget_usd if settings.readiness is not None else None
    if any(isinstance(b.budget_type, Unknown) for b in a.budgets or ()):
        doubt = next(b.budget_type for b in a.budgets or () if isinstance(b.budget_type, Unknown))
        return unknown("A budget's type", doubt)  # type: ignore[arg-type]
    cost = [b for b in a.budgets or () if b.budget_type == "COST"]
    if not cost:
        if a.whole_account:
            return (F, "The account has no cost budget: spend can pass the cost KPI without anyone being told.")
        return (NA, "Not a cost budget.")
    problems: list[str] = []
    doubts: list[Verdict] = []
    for b in cost:
        found = first_unknown(notification=b.notified, limit=b.limit_amount, period=b.time_unit)
        if found:
            doubts.append(found)
            continue
        if b.notified is not True:
            problems.append(f"{b.name} notifies no one")
            continue
        if not isinstance(b.limit_amount, (int, float)):
            problems.append(f"{b.name} has no fixed limit")
            continue
        if kpi is not None and (b.limit_unit not in (None, "USD") or b.time_unit not in _PER_MONTH):
            problems.append(f"{b.name}'s limit ({b.limit_amount:g} {b.limit_unit} per {b.time_unit}) cannot be compared with the USD KPI")
            continue
        monthly = float(b.limit_amount) * _PER_MONTH.get(str(b.time_unit), 1.0)  # type: ignore[arg-type]
        if kpi is not None and monthly > kpi:
            problems.append(f"{b.name} allows {monthly:g} USD a month, more than the cost KPI of {kpi:g}")
            continue
        return (P, f"{b.name} notifies before spend passes {monthly:g} USD a month" + (f" (KPI {kpi:g})." if kpi is not None else "."))
    if doubts:
        return doubts[0]
    return (F, "; ".join(problems) + ".")
