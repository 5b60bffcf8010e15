"""Issue 13's API Gateway rules on hand-made facts."""

from __future__ import annotations

import dataclasses

import pytest

from prr_policies.controls import evaluate
from prr_policies.facts import ApiDomain, ApiIntegration, ApiRoute, ApiStage, Unknown, UsagePlan, WebAcl
from prr_policies.result import Status
from prr_policies.settings import load_settings

S = load_settings()
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN


@pytest.mark.parametrize("plan, expected", [
    (UsagePlan("u", 50.0, 100, 1000, "DAY"), P), (UsagePlan("u"), F), (UsagePlan("u", 50.0, 100), F),
    (UsagePlan("u", None, None, 1000, "DAY"), F), (UsagePlan("u", 0.0, 100, 1000, "DAY"), F), (UsagePlan("u", U, 100, 1000, "DAY"), UNK),
])
def test_usage_plans(plan, expected):
    assert evaluate("PRR-APIGW-005", plan, S).status is expected


@pytest.mark.parametrize("route, public, expected", [
    (ApiRoute("r", "POST /orders", "JWT"), (), P), (ApiRoute("r", "POST /orders", "NONE"), (), F),
    (ApiRoute("r", "POST /orders", None), (), F), (ApiRoute("r", "GET /health", "NONE"), ("GET /health",), NA),
    (ApiRoute("r", "GET /health", "NONE"), (), F), (ApiRoute("r", U, "NONE"), (), UNK), (ApiRoute("r", "GET /x", U), (), UNK),
])
def test_route_authorization(route, public, expected):
    s = dataclasses.replace(S, apigateway=dataclasses.replace(S.apigateway, public_routes=public))
    assert evaluate("PRR-APIGW-006", route, s).status is expected


@pytest.mark.parametrize("acl, expected", [
    (WebAcl("w", True, ("AWSManagedRulesCommonRuleSet",), True), P), (WebAcl("w", False, ("AWSManagedRulesCommonRuleSet",), True), F),
    (WebAcl("w", True, (), True), F), (WebAcl("w", False, (), False), NA), (WebAcl("w", True, ("x",), U), UNK),
    (WebAcl("w", U, ("AWSManagedRulesCommonRuleSet",), True), UNK),
])
def test_web_acl_rules(acl, expected):
    assert evaluate("PRR-APIGW-007", acl, S).status is expected


def test_public_routes_are_route_keys():
    from prr_policies.errors import InputError
    from prr_policies.settings import load_settings as load

    import tempfile, pathlib  # noqa: E401
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "prr.yaml"
        path.write_text("apigateway:\n  public_routes: ['*']\n")
        with pytest.raises(InputError) as err:
            load(path)
        assert err.value.path == "apigateway.public_routes[0]"


REST = ApiStage("s", "REST")


@pytest.mark.parametrize("stage, required, expected", [
    (dataclasses.replace(REST, client_certificate_id="c1"), True, P), (REST, True, F), (REST, False, NA),
    (ApiStage("s", "V2"), True, NA), (dataclasses.replace(REST, client_certificate_id=U), True, UNK),
])
def test_client_certificate(stage, required, expected):
    s = dataclasses.replace(S, apigateway=dataclasses.replace(S.apigateway, client_certificate_required=required))
    assert evaluate("PRR-APIGW-008", stage, s).status is expected


@pytest.mark.parametrize("enabled, encrypted, expected", [
    (True, True, P), (True, False, F), (True, None, F), (False, None, NA), (None, None, NA), (U, None, UNK), (True, U, UNK),
])
def test_cache_encryption(enabled, encrypted, expected):
    assert evaluate("PRR-APIGW-009", dataclasses.replace(REST, cache_enabled=enabled, cache_data_encrypted=encrypted), S).status is expected


@pytest.mark.parametrize("domain, expected", [
    (ApiDomain("d", "REST", "TLS_1_2"), P), (ApiDomain("d", "REST", "SecurityPolicy_TLS13_1_3_2025_09"), P),
    (ApiDomain("d", "REST", "TLS_1_0"), F), (ApiDomain("d", "REST", None), F), (ApiDomain("d", "V2", "TLS_1_2"), P),
    (ApiDomain("d", "V2", "TLS_1_0"), F), (ApiDomain("d", "REST", U), UNK),
])
def test_domain_tls(domain, expected):
    assert evaluate("PRR-APIGW-010", domain, S).status is expected
    strict = dataclasses.replace(S, apigateway=dataclasses.replace(S.apigateway, allowed_security_policies=S.apigateway.allowed_security_policies[1:]))
    if domain.security_policy == "TLS_1_2" and domain.api_kind == "REST":
        assert evaluate("PRR-APIGW-010", domain, strict).status is F  # Security Hub APIGateway.11's own list


@pytest.mark.parametrize("integration, expected", [
    (ApiIntegration("i", "VPC_LINK", "orders.internal"), P), (ApiIntegration("i", "VPC_LINK", None), F),
    (ApiIntegration("i", "INTERNET", None), NA), (ApiIntegration("i", U, None), UNK), (ApiIntegration("i", "VPC_LINK", U), UNK),
])
def test_private_integration_tls(integration, expected):
    assert evaluate("PRR-APIGW-011", integration, S).status is expected
