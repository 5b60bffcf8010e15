"""Pure rules: ``rule(facts, settings) -> Result``. No I/O, no checkov, no boto3 import.

Rules live by family (``function``, ``identity``, ``api``, ``messaging``, ``keys_secrets``,
``event_sources``, ``release``, ``observability``, ``cost``, ...), each registered under its control id by ``@rule(...)``.
``RULES`` maps each control id to its :class:`Rule`; ``evaluate`` runs one and turns an
unexpected exception into UNKNOWN (fail closed) instead of letting it escape.
"""

from __future__ import annotations

from typing import Any

# Importing the families registers their rules.
from prr_policies.controls import (  # noqa: F401
    account, api, cost, event_sources, events, function, identity, keys_secrets, messaging, observability, release, resilience,
)
from prr_policies.controls._common import RULES, Rule
from prr_policies.errors import InputError
from prr_policies.result import Result, Status
from prr_policies.settings import Settings

__all__ = ["RULES", "Rule", "evaluate", "rules_for"]


def evaluate(control_id: str, facts: Any, settings: Settings) -> Result:
    """Run one rule. An unknown control id or facts of the wrong type is an :class:`InputError`
    (the caller's mistake); an exception inside a rule is a bug, and still never yields PASS."""
    rule = RULES.get(control_id)
    if rule is None:
        raise InputError("evaluate", "control_id", f"{control_id!r} is not a control with a rule "
                         f"(known: {', '.join(sorted(RULES))})")
    if not isinstance(facts, rule.facts_type):
        raise InputError("evaluate", "facts", f"{control_id} evaluates {rule.facts_type.__name__} facts, "
                         f"not {type(facts).__name__}")
    try:
        return rule(facts, settings)
    except Exception as exc:  # noqa: BLE001 - fail closed, with the cause in the reason
        return Result(control_id, getattr(facts, "address", "<unknown resource>"), Status.UNKNOWN,
                      f"The rule failed on these facts ({type(exc).__name__}: {exc}).")


def rules_for(facts_type: type) -> list[Rule]:
    return [r for r in RULES.values() if r.facts_type is facts_type]
