"""Rules for API Gateway stages (REST and HTTP/WebSocket)."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, first_unknown, rule, unknown
from prr_policies.facts import ApiDomain, ApiIntegration, ApiRoute, ApiStage, Unknown, UsagePlan, WebAcl
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


# ---- issue 13 ---------------------------------------------------------------------------------

@rule("PRR-APIGW-005")
def usage_plan_limits(u: UsagePlan, settings: Settings) -> Verdict:
    if not settings.apigateway.usage_plan_limits_required:
        return (NA, "Settings do not require usage plan limits.")
    found = first_unknown(throttle_rate=u.throttle_rate_limit, throttle_burst=u.throttle_burst_limit,
                          quota=u.quota_limit, quota_period=u.quota_period)
    if found:
        return found
    missing = [what for what, value in (("a throttle rate", u.throttle_rate_limit), ("a burst limit", u.throttle_burst_limit),
                                        ("a quota", u.quota_limit)) if not value or value <= 0]
    if missing:
        return (F, f"The usage plan sets no {', no '.join(missing)}: an API key holder can use the whole stage limit.")
    return (P, f"The usage plan throttles at {u.throttle_rate_limit:g} requests/s (bursts of {u.throttle_burst_limit}) "
               f"within a quota of {u.quota_limit} per {(u.quota_period or '').lower()}.")


@rule("PRR-APIGW-006")
def route_authorization(r: ApiRoute, settings: Settings) -> Verdict:
    if isinstance(r.route_key, Unknown):
        return unknown("The route key", r.route_key)
    if r.route_key in settings.apigateway.public_routes:
        return (NA, f"{r.route_key} is listed as public in the settings (apigateway.public_routes).")
    if isinstance(r.authorization_type, Unknown):
        return unknown("The route's authorization type", r.authorization_type)
    if r.authorization_type in (None, "NONE"):
        return (F, f"The route {r.route_key} has no authorizer: anyone who knows the URL can invoke what is behind it.")
    return (P, f"The route {r.route_key} requires {r.authorization_type} authorization.")


@rule("PRR-APIGW-007")
def web_acl_rules(w: WebAcl, settings: Settings) -> Verdict:
    s = settings.apigateway
    if isinstance(w.protects_api_stage, Unknown):
        return unknown("Whether the web ACL protects an API stage", w.protects_api_stage)
    if w.protects_api_stage is not True:
        return (NA, "The web ACL is not associated with an API Gateway stage.")
    found = first_unknown(rate_based_rule=w.rate_based_rule, managed_rule_groups=w.managed_rule_groups)
    if found:
        return found
    problems = []
    if s.waf_rate_based_rule_required and w.rate_based_rule is not True:
        problems.append("no rate-based rule")
    missing = [g for g in s.waf_managed_rule_groups if g not in (w.managed_rule_groups or ())]
    if missing:
        problems.append(f"not the managed rule group(s) {', '.join(missing)}")
    if problems:
        return (F, f"The web ACL in front of the API has {' and '.join(problems)}: it lets floods and common exploits through.")
    return (P, "The web ACL in front of the API has a rate-based rule and " + ", ".join(s.waf_managed_rule_groups) + ".")


@rule("PRR-APIGW-008")
def stage_client_certificate(stage: ApiStage, settings: Settings) -> Verdict:
    if not settings.apigateway.client_certificate_required:
        return (NA, "Settings do not require client certificates (they matter for HTTP backends, not Lambda integrations).")
    if isinstance(stage.api_kind, Unknown):
        return unknown("The kind of API", stage.api_kind)
    if stage.api_kind != "REST":
        return (NA, "Only REST API stages present a client certificate to their backend.")
    if isinstance(stage.client_certificate_id, Unknown):
        return unknown("The stage's client certificate", stage.client_certificate_id)
    if not stage.client_certificate_id:
        return (F, "The stage presents no client certificate: its backend cannot tell API Gateway's calls from anyone else's.")
    return (P, "The stage authenticates to its backend with a client certificate.")


@rule("PRR-APIGW-009")
def stage_cache_encryption(stage: ApiStage, settings: Settings) -> Verdict:
    if not settings.apigateway.cache_encryption_required:
        return (NA, "Settings do not require encrypted stage caches.")
    if isinstance(stage.api_kind, Unknown):
        return unknown("The kind of API", stage.api_kind)
    if stage.api_kind != "REST":
        return (NA, "Only REST API stages have a cache.")
    if isinstance(stage.cache_enabled, Unknown):
        return unknown("Whether the stage caches responses", stage.cache_enabled)
    if stage.cache_enabled is not True:
        return (NA, "The stage does not cache responses.")
    if isinstance(stage.cache_data_encrypted, Unknown):
        return unknown("Whether the cache is encrypted", stage.cache_data_encrypted)
    if stage.cache_data_encrypted is not True:
        return (F, "The stage caches responses unencrypted at rest.")
    return (P, "The stage's cache is encrypted at rest.")


@rule("PRR-APIGW-010")
def domain_tls_policy(d: ApiDomain, settings: Settings) -> Verdict:
    if isinstance(d.api_kind, Unknown):
        return unknown("The kind of domain name", d.api_kind)
    if isinstance(d.security_policy, Unknown):
        return unknown("The domain name's security policy", d.security_policy)
    allowed = ("TLS_1_2",) if d.api_kind == "V2" else settings.apigateway.allowed_security_policies
    if d.security_policy not in allowed:
        return (F, f"The domain name accepts {d.security_policy or 'the default security policy'}, not one of "
                   f"{', '.join(allowed)}: clients may negotiate older TLS versions or weak ciphers.")
    return (P, f"The domain name uses the security policy {d.security_policy}.")


@rule("PRR-APIGW-011")
def private_integration_tls(i: ApiIntegration, settings: Settings) -> Verdict:
    if isinstance(i.connection_type, Unknown):
        return unknown("The integration's connection type", i.connection_type)
    if i.connection_type != "VPC_LINK":
        return (NA, "The integration does not use a VPC link.")
    if isinstance(i.tls_server_name, Unknown):
        return unknown("The integration's TLS configuration", i.tls_server_name)
    if not i.tls_server_name:
        return (F, "The private integration sends requests over the VPC link unencrypted (no tls_config).")
    return (P, f"The private integration uses HTTPS, verifying {i.tls_server_name}.")
