"""Rules for what operators see: structured logs, Powertools, and the alarms the PRR asks for."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, U, Verdict, first_unknown, rule, unknown
from prr_policies.facts import LambdaFunction, Unknown
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
