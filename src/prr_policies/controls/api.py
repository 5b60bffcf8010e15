"""Rules for API Gateway stages (REST and HTTP/WebSocket)."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, first_unknown, rule, unknown
from prr_policies.facts import ApiStage, Unknown
from prr_policies.settings import Settings


@rule("PRR-APIGW-001")
def api_waf(stage: ApiStage, settings: Settings) -> Verdict:
    s = settings.apigateway
    if not s.waf_required:
        return (NA, "Settings do not require a WAF on API stages.")
    if isinstance(stage.api_kind, Unknown):
        return unknown("The kind of API", stage.api_kind)
    if stage.api_kind == "V2":
        status = F if s.waf_required_for_http_apis else NA
        return (status, "HTTP and WebSocket APIs cannot be associated with a WAF web ACL: "
                      "use a REST API or put CloudFront with a web ACL in front.")
    if isinstance(stage.web_acl_arn, Unknown):
        return unknown("The stage's web ACL", stage.web_acl_arn)
    if not stage.web_acl_arn:
        return (F, "No WAF web ACL is associated with the stage.")
    return (P, f"The stage is protected by {stage.web_acl_arn}.")


@rule("PRR-APIGW-002")
def api_xray(stage: ApiStage, settings: Settings) -> Verdict:
    if isinstance(stage.api_kind, Unknown):
        return unknown("The kind of API", stage.api_kind)
    if stage.api_kind == "V2":
        return (NA, "API Gateway does not trace HTTP or WebSocket APIs with X-Ray.")
    if isinstance(stage.xray_enabled, Unknown):
        return unknown("X-Ray tracing of the stage", stage.xray_enabled)
    if stage.xray_enabled is True:
        return (P, "X-Ray tracing is enabled on the stage.")
    return (F, "X-Ray tracing is not enabled on the stage.")


@rule("PRR-APIGW-003")
def api_logging(stage: ApiStage, settings: Settings) -> Verdict:
    s = settings.apigateway
    if isinstance(stage.api_kind, Unknown):
        return unknown("The kind of API", stage.api_kind)
    level = stage.execution_logging_level if stage.api_kind == "REST" else None
    problems = []  # from the fields that are known: a known violation is a FAIL whatever the others are
    if s.access_logs_required and not isinstance(stage.access_log_destination, Unknown) and not stage.access_log_destination:
        problems.append("no access log destination")
    if stage.api_kind == "REST" and not isinstance(level, Unknown) and level not in s.logging_levels:
        problems.append(f"execution logging is {level or 'OFF'}, not one of {', '.join(s.logging_levels)}")
    found = first_unknown(access_log_destination=stage.access_log_destination, execution_logging_level=level)
    if problems:
        return (F, "The stage has " + " and ".join(problems) + ".")
    return found or (P, "The stage writes access logs" + (" and execution logs." if stage.api_kind == "REST" else "."))


@rule("PRR-APIGW-004")
def api_throttling(stage: ApiStage, settings: Settings) -> Verdict:
    s = settings.apigateway
    if not s.throttling_required:
        return (NA, "Settings do not require stage throttling.")
    rate, burst = stage.throttling_rate_limit, stage.throttling_burst_limit
    if any(not isinstance(v, Unknown) and (v is None or v <= 0) for v in (rate, burst)):  # known, whatever the other is
        return (F, "The stage sets no throttling rate and burst limit of its own, so only the account limit applies.")
    found = first_unknown(throttling_rate_limit=rate, throttling_burst_limit=burst)
    if found:
        return found
    if s.max_rate_limit is not None and rate > s.max_rate_limit:
        return (F, f"The stage allows {rate:g} requests per second, above the agreed {s.max_rate_limit:g}.")
    return (P, f"The stage throttles at {rate:g} requests per second, bursts of {burst}.")
