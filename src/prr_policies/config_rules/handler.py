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

import dataclasses
import json
import logging
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
        if not isinstance(rule_parameters, dict):
            raise InvalidParametersError(f"The rule parameters must be a JSON object, not {type(rule_parameters).__name__}.")
        unknown = sorted(set(rule_parameters) - ALLOWED_PARAMETERS, key=str)
        if unknown:
            raise InvalidParametersError(f"Unknown rule parameter {unknown[0]!r}; allowed: {', '.join(sorted(ALLOWED_PARAMETERS))}.")
        for key in sorted(RDKLIB_PARAMETERS & set(rule_parameters)):
            if not isinstance(rule_parameters[key], str):
                raise InvalidParametersError(f"{key} must be a string, not {rule_parameters[key]!r}.")
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


# -- the entry point: read the event before rdklib does ---------------------------------------
#
# rdklib trusts the event: without ``invokingEvent`` it raises KeyError, with bad JSON in it or
# in ``ruleParameters`` JSONDecodeError, with parameters that are not an object ("[1]")
# AttributeError, without ``executionRoleArn``, ``eventLeftScope`` or an item's status KeyError,
# with a null item a bare Exception; GetResourceConfigHistory and PutEvaluations errors other
# than ClientError escape too. An unhandled exception makes Lambda retry the invocation and
# leaves the resource without an evaluation. So the handler reads the event first: one log line
# and an rdklib-style error answer for an event it cannot read; a NON_COMPLIANT evaluation with
# the reason where it knows the resource (or, for a scheduled run, the account).

log = logging.getLogger(__name__)
MESSAGE_TYPES = ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification", "ScheduledNotification")


@dataclasses.dataclass
class EventView:
    """What could be read of an event: the problem (None when it is fine), the rule parameters
    (None when unreadable), whether the problem is in them, and the resource (or account) an
    evaluation can be reported against."""

    problem: str | None = None
    params: dict | None = None
    parameter_problem: bool = False
    resource: dict | None = None  # resourceType, resourceId, configurationItemCaptureTime
    event: dict | None = None  # the event as rdklib will read it (ruleParameters normalised)


def _resource_of(invoking: dict, event: dict) -> dict | None:
    kind = invoking.get("messageType")
    if kind == "ScheduledNotification":
        account, when = event.get("accountId"), invoking.get("notificationCreationTime")
        ok = isinstance(account, str) and account and isinstance(when, str) and when
        return {"resourceType": "AWS::::Account", "resourceId": account, "configurationItemCaptureTime": when} if ok else None
    item = invoking.get("configurationItem" if kind == "ConfigurationItemChangeNotification" else "configurationItemSummary")
    if not isinstance(item, dict):
        return None
    keys = ("resourceType", "resourceId", "configurationItemCaptureTime")
    if all(isinstance(item.get(k), str) and item.get(k) for k in keys):
        return {k: item[k] for k in keys}
    return None


def read_event(event: Any) -> EventView:
    """Check everything rdklib will read from ``event``; never raises."""
    if not isinstance(event, dict):
        return EventView(f"the event is not a JSON object but {type(event).__name__}")
    raw = event.get("invokingEvent")
    if not isinstance(raw, str):
        return EventView("the event has no invokingEvent" if raw is None else "invokingEvent is not a JSON string")
    try:
        invoking = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        return EventView(f"invokingEvent is not JSON ({getattr(exc, 'msg', type(exc).__name__)})")
    if not isinstance(invoking, dict):
        return EventView(f"invokingEvent is not a JSON object but {type(invoking).__name__}")
    view = EventView(resource=_resource_of(invoking, event))
    kind = invoking.get("messageType")
    if kind not in MESSAGE_TYPES:
        view.problem = f"unexpected messageType {kind!r}"
        return view
    raw_params = event.get("ruleParameters")
    if raw_params in (None, ""):
        params: Any = {}
    elif not isinstance(raw_params, str):
        params = None
        view.problem = "ruleParameters is not a JSON string"
    else:
        try:
            params = json.loads(raw_params)
        except (json.JSONDecodeError, RecursionError) as exc:
            params = None
            view.problem = f"ruleParameters is not JSON ({getattr(exc, 'msg', type(exc).__name__)})"
    if params is not None:
        try:
            PrrRule().evaluate_parameters(params)
        except InvalidParametersError as exc:
            view.problem = str(exc)
        else:
            view.params = params
    if view.problem:
        view.parameter_problem = True
        return view
    if kind == "ConfigurationItemChangeNotification":
        item = invoking.get("configurationItem")
        if not isinstance(item, dict):
            view.problem = "the change notification has no configurationItem"
        elif not all(isinstance(item.get(k), str) for k in ("resourceType", "resourceId", "configurationItemStatus",
                                                           "configurationItemCaptureTime")):
            view.problem = "the configurationItem lacks resourceType, resourceId, configurationItemStatus or configurationItemCaptureTime"
        elif not isinstance(event.get("eventLeftScope"), bool):
            view.problem = "the event has no eventLeftScope"
    elif kind == "OversizedConfigurationItemChangeNotification":
        summary = invoking.get("configurationItemSummary")
        if not isinstance(summary, dict) or not isinstance(summary.get("resourceType"), str) or not isinstance(summary.get("resourceId"), str):
            view.problem = "the oversized notification has no configurationItemSummary naming the resource"
        elif not all(isinstance(invoking.get(k), str) for k in ("notificationCreationTime", "recordVersion")):
            view.problem = "the oversized notification lacks notificationCreationTime or recordVersion"
    elif not isinstance(invoking.get("notificationCreationTime"), str):
        view.problem = "the scheduled notification has no notificationCreationTime"
    assume = (view.params or {}).get("AssumeRoleMode", "true").lower() != "false"
    if not view.problem and not isinstance(event.get("resultToken"), str):
        view.problem = "the event has no resultToken"
    if not view.problem and assume and not isinstance(event.get("executionRoleArn"), str):
        view.problem = "the event has no executionRoleArn (needed unless AssumeRoleMode is false)"
    if not view.problem:
        view.event = {**event, "ruleParameters": json.dumps(view.params), "executionRoleArn": event.get("executionRoleArn")}
    return view


def _error_answer(message: str, parameters: bool) -> dict:
    """rdklib's error answer (without its print: the one log line is ours)."""
    if parameters:
        return {"internalErrorMessage": "Parameter value is invalid", "internalErrorDetails": message,
                "customerErrorCode": "InvalidParameterValueException", "customerErrorMessage": message}
    return {"internalErrorMessage": message, "internalErrorDetails": None, "customerErrorCode": None, "customerErrorMessage": None}


def _report_unreadable(event: Any, view: EventView, message: str) -> list:
    """NON_COMPLIANT for the resource the event names, with the reason; [] when it names none or
    the evaluation cannot be sent."""
    if view.resource is None or not isinstance(event, dict) or not isinstance(event.get("resultToken"), str):
        return []
    from rdklib import ClientFactory
    from rdklib.util.evaluations import process_evaluations

    control = (view.params or {}).get("ControlId") or "PRR"
    result = Result(control, view.resource["resourceId"], Status.UNKNOWN, message)
    ev = Evaluation(ComplianceType.NON_COMPLIANT, view.resource["resourceId"], view.resource["resourceType"], annotation(result))
    ev.import_fields_from_configuration_item(view.resource)
    assume = str((view.params or {}).get("AssumeRoleMode", "true")).lower() != "false"
    role = event.get("executionRoleArn") if isinstance(event.get("executionRoleArn"), str) else None
    try:
        return process_evaluations(event, ClientFactory(role_arn=role, assume_role_mode=assume), [ev.get_json()])
    except Exception as exc:  # noqa: BLE001 - nothing more can be sent; say so
        log.error("PRR Config rule: could not report NON_COMPLIANT for %s either (%s: %s)", view.resource["resourceId"],
                  type(exc).__name__, str(exc)[:200])
        return []


def lambda_handler(event: dict, context: Any, settings: Settings | None = None) -> Any:
    """The entry point Config invokes. ``settings`` is for tests; in Lambda they come from
    $PRR_SETTINGS or the defaults. Never raises: an event it cannot read is one log line and
    rdklib's error answer (InvalidParameterValueException for bad parameters), plus a
    NON_COMPLIANT evaluation where the event names the resource (listed under "evaluations")."""
    view = read_event(event)
    rule = event.get("configRuleName", "?") if isinstance(event, dict) else "?"
    if view.problem:
        log.error("PRR Config rule %s: cannot evaluate this event: %s", rule, view.problem)
        sent = _report_unreadable(event, view, f"the rule could not read its event: {view.problem}")
        return {**_error_answer(view.problem, view.parameter_problem), "evaluations": sent}
    control = (view.params or {}).get("ControlId")
    types = list(EVALUATORS[control].resource_types) if control in EVALUATORS else ["AWS::::Account"]
    try:
        return Evaluator(PrrRule(settings), types).handle(view.event, context)
    except Exception as exc:  # noqa: BLE001 - rdklib lets some errors through; fail closed and say why
        problem = f"evaluation failed ({type(exc).__name__}: {str(exc)[:200]})"
        log.error("PRR Config rule %s: %s", rule, problem)
        return {**_error_answer(problem, False), "evaluations": _report_unreadable(event, view, problem)}
