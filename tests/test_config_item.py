"""AWS::Lambda::Function configuration items -> facts -> the same rules."""

from __future__ import annotations

import json

import pytest

from prr_policies.controls import evaluate
from prr_policies.errors import InputError
from prr_policies.facts import Unknown
from prr_policies.result import Status
from prr_policies.sources.config_item import lambda_function

from .conftest import FIXTURES

ITEMS = FIXTURES / "config_items"


def load(name):
    return json.loads((ITEMS / name).read_text())


def test_recorded_fields_become_facts():
    fn = lambda_function(load("lambda_pass.json"))
    assert fn.address.endswith(":function:orders-api-handler")
    assert fn.reserved_concurrency == 20  # from supplementaryConfiguration.Concurrency
    assert fn.kms_key_arn.endswith("6f1a2b3c-1111-2222-3333-444455556666")  # Config's kmskeyArn spelling
    assert fn.tracing_mode == "Active" and fn.vpc_subnet_ids == ("subnet-0a1b2c3d",)
    # Not recorded by Config: never a guess.
    assert isinstance(fn.code_signing_config_arn, Unknown) and isinstance(fn.has_environment_variables, Unknown)


def test_verdicts_from_items(fixture_settings):
    good = lambda_function(load("lambda_pass.json"))
    bad = lambda_function(load("lambda_fail.json"))  # configuration as a JSON string, kmsKeyArn spelling
    assert {c: evaluate(c, good, fixture_settings).status for c in ("PRR-LAMBDA-001", "PRR-LAMBDA-002", "PRR-LAMBDA-003", "PRR-LAMBDA-004", "PRR-LAMBDA-006", "PRR-LAMBDA-008", "PRR-LAMBDA-009")} == dict.fromkeys(
        ("PRR-LAMBDA-001", "PRR-LAMBDA-002", "PRR-LAMBDA-003", "PRR-LAMBDA-004", "PRR-LAMBDA-006", "PRR-LAMBDA-008", "PRR-LAMBDA-009"), Status.PASS)
    assert evaluate("PRR-LAMBDA-001", bad, fixture_settings).status is Status.FAIL
    assert evaluate("PRR-LAMBDA-002", bad, fixture_settings).status is Status.FAIL
    assert evaluate("PRR-LAMBDA-006", bad, fixture_settings).status is Status.FAIL
    assert evaluate("PRR-LAMBDA-008", bad, fixture_settings).status is Status.FAIL
    # No key recorded and environment variables not recorded: cannot tell, so not PASS.
    assert evaluate("PRR-LAMBDA-004", bad, fixture_settings).status is Status.UNKNOWN
    assert evaluate("PRR-LAMBDA-005", good, fixture_settings).status is Status.UNKNOWN
    assert evaluate("PRR-LAMBDA-012", good, fixture_settings).status is Status.UNKNOWN


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d.update(resourceType="AWS::SQS::Queue"), "resourceType"),
    (lambda d: d.update(configuration="{not json"), "configuration"),
    (lambda d: d["configuration"].update(timeout="twenty"), "configuration.timeout"),
    (lambda d: d["configuration"].update(tracingConfig=["Active"]), "configuration.tracingConfig"),
    (lambda d: d["supplementaryConfiguration"].update(Concurrency={"reservedConcurrentExecutions": "x"}),
     "supplementaryConfiguration.Concurrency.reservedConcurrentExecutions"),
    (lambda d: d["configuration"]["vpcConfig"].update(subnetIds=5), "configuration.vpcConfig.subnetIds"),
])
def test_malformed_items_name_the_path(mutate, path):
    item = load("lambda_pass.json")
    mutate(item)
    with pytest.raises(InputError) as err:
        lambda_function(item, source="lambda_pass.json")
    assert err.value.path == path and err.value.source == "lambda_pass.json"
