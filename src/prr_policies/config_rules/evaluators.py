"""Which controls run as AWS Config rules, how they are triggered and which resource types they
are scoped to: derived from the catalog (``enforcement.config_trigger``, ``config_rules``,
``config_scope``) and the kind registry (the Config types of the control's facts type). Kept free
of boto3 and rdklib, so the pack generator and the tests import it cheaply."""

from __future__ import annotations

from dataclasses import dataclass

from prr_policies import facts as facts_module
from prr_policies.catalog import catalog
from prr_policies.sources import kinds


@dataclass(frozen=True)
class Evaluator:
    control_id: str
    trigger: str  # "change" (configuration items) | "periodic" (the account, through boto3)
    resource_types: tuple[str, ...]
    # False when an AWS managed rule in the pack already carries the whole control.
    custom_in_pack: bool = True

    @property
    def rule_name(self) -> str:
        return self.control_id.lower()


def evaluators() -> dict[str, Evaluator]:
    out = {}
    for c in catalog().controls:
        e = c.enforcement
        if not e.config_trigger:
            continue
        kind = kinds.kind(getattr(facts_module, c.facts or ""))
        types = e.config_scope or (kind.config_types if e.config_trigger == "change" else kind.report_types)
        out[c.id] = Evaluator(c.id, e.config_trigger, tuple(types), custom_in_pack=e.custom_rule(c.id) is not None)
    return out


EVALUATORS: dict[str, Evaluator] = evaluators()
