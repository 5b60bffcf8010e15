"""Rules for what operators see: structured logs, Powertools, and the alarms the PRR asks for."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, first_unknown, rule, unknown
from prr_policies.facts import LambdaFunction, MetricAlarm, Unknown, WatchedResource
from prr_policies.settings import Settings

# Lambda's defaults for a function logging in JSON that does not set its levels.
DEFAULT_LOG_LEVEL = "INFO"


@rule("PRR-LAMBDA-017")
def structured_logging(fn: LambdaFunction, settings: Settings) -> Verdict:
    s = settings.logging
    if not s.json_required:
        return (NA, "Settings do not require structured (JSON) logs.")
    if isinstance(fn.log_format, Unknown):
        return unknown("The log format", fn.log_format)
    if fn.log_format != "JSON":
        return (F, f"The function logs in {fn.log_format or 'Text'} format, not JSON: its logs cannot be queried by field.")
    found = first_unknown(application_log_level=fn.application_log_level, system_log_level=fn.system_log_level)
    if found:
        return found
    app, system = fn.application_log_level or DEFAULT_LOG_LEVEL, fn.system_log_level or DEFAULT_LOG_LEVEL
    problems = []
    if app not in s.application_log_levels:
        problems.append(f"application log level {app} is not one of {', '.join(s.application_log_levels)}")
    if system not in s.system_log_levels:
        problems.append(f"system log level {system} is not one of {', '.join(s.system_log_levels)}")
    if problems:
        return (F, "The function logs JSON, but its " + " and its ".join(problems) + ".")
    return (P, f"The function logs JSON at application level {app} and system level {system}.")


@rule("PRR-LAMBDA-018")
def powertools(fn: LambdaFunction, settings: Settings) -> Verdict:
    s = settings.powertools
    if not s.required:
        return (NA, "Settings do not require AWS Lambda Powertools.")
    layers, env = fn.layers, fn.environment
    if not isinstance(layers, Unknown):
        for arn in layers or ():
            if any(part in arn for part in s.layer_name_contains):
                return (P, f"The function uses the Powertools layer {arn}.")
    if not isinstance(env, Unknown):
        for var in env or ():
            if var.name in s.environment_variables:
                return (P, f"The function sets {var.name}, so Powertools names its logs, traces and metrics.")
    if isinstance(layers, Unknown):
        return unknown("The function's layers", layers)
    if isinstance(env, Unknown):
        return unknown("The function's environment variables", env)
    return (F, f"Neither a Powertools layer nor {' or '.join(s.environment_variables)} shows that the function uses "
               "AWS Lambda Powertools (structured logs, traces and metrics with one service name).")


# ---- alarms ----------------------------------------------------------------------------------

def _alarmed(role: object, alarms: object, settings: Settings, wanted_role: str, what: str,
             wanted: dict[str, tuple[str, ...]]) -> Verdict:
    """``wanted``: for each requirement (a label), the metric names that satisfy it. The rules pass
    the facts' fields themselves, so the fields each rule reads are read off its code."""
    s = settings.alarms
    if isinstance(role, Unknown):
        return unknown("What the resource is", role)
    if role != wanted_role:
        return (NA, f"The resource is not {what}.")
    if not s.required:
        return (NA, "Settings do not require alarms.")
    if isinstance(alarms, Unknown):
        return unknown("The alarms on the resource", alarms)
    missing, unknowns = [], []
    for label, metrics in wanted.items():
        hits = [a for a in alarms or () if a.metric in metrics]  # type: ignore[attr-defined]
        if not hits:
            missing.append(f"no alarm on {label}")
            continue
        if s.action_required and not any(a.has_action is True for a in hits):
            unsure = next((a.has_action for a in hits if isinstance(a.has_action, Unknown)), None)
            if unsure is not None:
                unknowns.append((f"The action of the {label} alarm", unsure))
            else:
                missing.append(f"the {label} alarm ({hits[0].name}) notifies nobody")
    if missing:
        return (F, f"{what.capitalize()}: {'; '.join(missing)}: a failure here pages no one.")
    if unknowns:
        return unknown(*unknowns[0])
    return (P, f"Alarms with actions watch {', '.join(wanted)}.")


@rule("PRR-ALARM-001")
def function_alarms(w: WatchedResource, settings: Settings) -> Verdict:
    return _alarmed(w.role, w.alarms, settings, "function", "a function", {m: (m,) for m in settings.alarms.function_metrics})


@rule("PRR-ALARM-002")
def dlq_alarm(w: WatchedResource, settings: Settings) -> Verdict:
    metric = settings.alarms.dlq_metric
    return _alarmed(w.role, w.alarms, settings, "dlq", "a dead-letter queue", {metric: (metric,)})


@rule("PRR-ALARM-003")
def event_source_alarm(w: WatchedResource, settings: Settings) -> Verdict:
    metric = settings.alarms.event_source_metric
    return _alarmed(w.role, w.alarms, settings, "event_source_queue", "a queue a function consumes", {metric: (metric,)})


@rule("PRR-ALARM-004")
def api_stage_alarms(w: WatchedResource, settings: Settings) -> Verdict:
    s = settings.alarms
    budget = settings.latency_budget_ms()
    verdict = _alarmed(w.role, w.alarms, settings, "api_stage", "an API stage",
                       {"5XX errors": s.api_error_metrics, "latency": (s.api_latency_metric,)})
    if verdict[0] is not P:
        return verdict
    latency = [a for a in w.alarms or () if a.metric == s.api_latency_metric]  # type: ignore[union-attr]
    if any(isinstance(a.threshold, Unknown) for a in latency) and not any(
            isinstance(a.threshold, (int, float)) and a.threshold <= budget for a in latency):
        return unknown("The latency alarm's threshold", next(a.threshold for a in latency if isinstance(a.threshold, Unknown)))
    if not any(isinstance(a.threshold, (int, float)) and a.threshold <= budget for a in latency):
        return (F, f"The latency alarm fires above {', '.join(f'{a.threshold:g}' for a in latency if a.threshold is not None)} ms, "
                   f"later than the latency budget of {budget:g} ms.")
    return (P, f"Alarms with actions watch 5XX errors and latency (within the {budget:g} ms budget).")


@rule("PRR-ALARM-005")
def alarm_actions(a: MetricAlarm, settings: Settings) -> Verdict:
    if not settings.alarms.action_required:
        return (NA, "Settings do not require alarm actions.")
    if isinstance(a.actions_enabled, Unknown):
        return unknown("Whether the alarm's actions are enabled", a.actions_enabled)
    if isinstance(a.alarm_actions, Unknown):
        return unknown("The alarm's actions", a.alarm_actions)
    if not a.alarm_actions:
        return (F, "The alarm has no action for the ALARM state: it changes colour on a dashboard and pages no one.")
    if a.actions_enabled is not True:
        return (F, "The alarm's actions are disabled: it fires silently.")
    return (P, f"The alarm notifies {len(a.alarm_actions)} target(s) when it fires.")


@rule("PRR-CODEDEPLOY-002")
def rollback_on_function_alarms(w: WatchedResource, settings: Settings) -> Verdict:
    if isinstance(w.role, Unknown):
        return unknown("What the resource is", w.role)
    if w.role != "function":
        return (NA, "The resource is not a function.")
    if isinstance(w.deployment_group_alarms, Unknown):
        return unknown("The deployment group's alarms", w.deployment_group_alarms)
    if w.deployment_group_alarms is None:
        return (NA, "No CodeDeploy deployment group releases the function (its release path is judged on its own).")
    if isinstance(w.alarms, Unknown):
        return unknown("The function's alarms", w.alarms)
    own = {a.name for a in w.alarms or ()}
    watched = own & set(w.deployment_group_alarms)
    if not watched:
        return (F, f"The deployment group watches {', '.join(w.deployment_group_alarms) or 'no alarm'}, none of them on this "
                   "function: a bad release of it is not rolled back.")
    return (P, f"The deployment group rolls back on the function's alarm(s) {', '.join(sorted(watched))}.")
