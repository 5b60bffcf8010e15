"""The AWS Lambda entry point of every PRR custom Config rule, built on AWS's rdklib.

One function serves all custom rules; each rule names its control in its parameters
(``{"ControlId": "<control id>"}``). rdklib does the plumbing: it reads the invoking event,
fetches oversized configuration items with GetResourceConfigHistory, marks deleted or
out-of-scope resources NOT_APPLICABLE, truncates annotations to 256 characters, sends
evaluations in batches of at most 100 (``TestMode`` for the ``TESTMODE`` result token), and
answers invalid parameters with the ``InvalidParameterValueException`` customer error.

This module adds what makes the result ours and fail closed:

- the configuration item becomes facts through the same adapter the tests and the audit use,
  and the fields Config does not record are filled with a describe call (a refused call is
  Unknown naming the permission);
- the control's pure rule decides; UNKNOWN is reported NON_COMPLIANT with an ``UNKNOWN:``
  annotation (Config has no "unknown" for custom rules, and unknown must not pass);
- an exception while evaluating a resource is NON_COMPLIANT for that resource, never
  COMPLIANT and never silently nothing.

Settings come from ``$PRR_SETTINGS`` (a prr.yaml packaged with the function) or the defaults.
"""

from __future__ import annotations

import json
from typing import Any

from rdklib import ComplianceType, ConfigRule, Evaluation, Evaluator, InvalidParametersError

from prr_policies.config_rules.evaluators import EVALUATORS
from prr_policies.controls import RULES, evaluate
from prr_policies.result import Result, Status
from prr_policies.settings import Settings, settings_from_env
from prr_policies.sources import config_item
from prr_policies.sources.account import Account
from prr_policies.sources.aws_api import Api

RDKLIB_PARAMETERS = {"ExecutionRoleName", "ExecutionRoleRegion", "AssumeRoleMode"}
ALLOWED_PARAMETERS = {"ControlId"} | RDKLIB_PARAMETERS
COMPLIANCE = {Status.PASS: ComplianceType.COMPLIANT, Status.FAIL: ComplianceType.NON_COMPLIANT,
              Status.UNKNOWN: ComplianceType.NON_COMPLIANT, Status.NOT_APPLICABLE: ComplianceType.NOT_APPLICABLE,
              # Config has no warning level: COMPLIANT, with the annotation starting "WARNING:".
              Status.WARNING: ComplianceType.COMPLIANT}


def annotation(result: Result) -> str:
    text = f"{result.status.value}: {result.reason}" if result.status is not Status.PASS else result.reason
    return text if len(text) <= 256 else text[:244] + " [truncated]"


def evaluation(result: Result, resource_id: str | None = None, resource_type: str | None = None) -> Evaluation:
    return Evaluation(COMPLIANCE[result.status], resource_id, resource_type, annotation(result))


class PrrRule(ConfigRule):
    """One control as a Config rule."""

    def __init__(self, settings: Settings | None = None):
        super().__init__()
        self.settings = settings

    def _settings(self) -> Settings:
        if self.settings is None:
            self.settings = settings_from_env()
        return self.settings

    def evaluate_parameters(self, rule_parameters: dict) -> dict:
        unknown = sorted(set(rule_parameters) - ALLOWED_PARAMETERS)
        if unknown:
            raise InvalidParametersError(f"Unknown rule parameter {unknown[0]!r}; allowed: {', '.join(sorted(ALLOWED_PARAMETERS))}.")
        control = rule_parameters.get("ControlId")
        if not isinstance(control, str) or control not in EVALUATORS:
            raise InvalidParametersError(f"ControlId must name a PRR control with a Config evaluator, not {control!r}.")
        return {"ControlId": control}

    # -- change-triggered ----------------------------------------------------------------------

    def evaluate_change(self, event: dict, client_factory: Any, configuration_item: dict, valid_rule_parameters: dict) -> list:
        control = valid_rule_parameters["ControlId"]
        rtype = configuration_item.get("resourceType", "")
        try:
            rule = RULES[control]
            facts = config_item.facts_from_item(configuration_item, "configurationItem", self._settings())
            if not isinstance(facts, rule.facts_type):
                raise TypeError(f"{control} does not evaluate {rtype}")
            facts = config_item.enrich(facts, configuration_item, Api(client_factory.build_client), rule.reads)
            return [evaluation(evaluate(control, facts, self._settings()))]
        except Exception as exc:  # noqa: BLE001 - fail closed: the resource is not compliant
            return [Evaluation(ComplianceType.NON_COMPLIANT,
                               annotation=annotation(Result(control, rtype, Status.UNKNOWN, f"evaluation failed ({type(exc).__name__}: {exc})")))]

    # -- periodic ----------------------------------------------------------------------------

    def evaluate_periodic(self, event: dict, client_factory: Any, valid_rule_parameters: dict) -> list:
        control = valid_rule_parameters["ControlId"]
        settings = self._settings()
        account_id = event.get("accountId") or "<account>"
        account = Account(client_factory.build_client, dlq_suffixes=settings.sqs.dlq_name_suffixes,
                          deployment_group_name=settings.release.deployment_group_name)
        try:
            snap = account.collect([RULES[control].facts_type])  # only the reads this control needs
        except Exception as exc:  # noqa: BLE001 - the account could not be read: not compliant, and say why
            return [Evaluation(ComplianceType.NON_COMPLIANT, account_id, "AWS::::Account",
                               annotation(Result(control, account_id, Status.UNKNOWN, f"the account could not be read ({type(exc).__name__}: {exc})")))]
        out = []
        for rtype, rid, facts in snap.facts.get(RULES[control].facts_type, []):
            if rid.startswith("<"):  # the listing itself was refused: report on the account
                out.append(evaluation(evaluate(control, facts, settings), account_id, "AWS::::Account"))
            else:
                out.append(evaluation(evaluate(control, facts, settings), rid, rtype))
        return out


def lambda_handler(event: dict, context: Any, settings: Settings | None = None) -> Any:
    """The entry point Config invokes. ``settings`` is for tests; in Lambda they come from
    $PRR_SETTINGS or the defaults."""
    try:
        params = json.loads(event.get("ruleParameters") or "{}")
    except json.JSONDecodeError:
        params = {}
    control = params.get("ControlId")
    types = list(EVALUATORS[control].resource_types) if control in EVALUATORS else ["AWS::::Account"]
    return Evaluator(PrrRule(settings), types).handle(event, context)
