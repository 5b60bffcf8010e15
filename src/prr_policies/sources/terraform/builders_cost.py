"""Terraform -> AccountBudgets: one ``aws_budgets_budget``, judged alone (a configuration cannot
show that an account has no budget; the audit and the periodic Config rule read the account)."""

from __future__ import annotations

from typing import Any

from prr_policies.facts import AccountBudgets, Budget, Unknown
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder
from prr_policies.sources.terraform.graph import ResourceGraph


def _amount(c: Conf) -> Any:
    if c.raw.get("planned_limit") not in (None, [], [[]], [None]) and c.string("limit_amount") is None:
        return Unknown("the budget has planned limits per period, which are not compared with the cost KPI")
    value = pr.known(c.string("limit_amount"))
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return Unknown(f"limit_amount is not a number ({value!r})")
    return value


@terraform_builder("aws_budgets_budget", AccountBudgets)
def budget(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> AccountBudgets:
    c = Conf.of("aws_budgets_budget", conf)
    notifications = c.raw.get("notification")
    while isinstance(notifications, list) and len(notifications) == 1 and isinstance(notifications[0], list):
        notifications = notifications[0]
    notified = any(isinstance(n, dict) for n in notifications or [])
    if not notified and c.plan and pr.configured(c, "notification"):
        notified = Unknown("the budget's notifications are known only after apply")
    name = pr.literal(c.string("name")) or c.address
    return AccountBudgets(c.address, (Budget(name, pr.known(c.string("budget_type")), _amount(c), pr.known(c.string("limit_unit")),
                                             pr.known(c.string("time_unit")), notified),))
