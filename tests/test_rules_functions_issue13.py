"""Issue 13's function rules on hand-made facts: structured logging, Powertools, literal secrets
(the heuristic and its written false-positive policy), several Availability Zones, arm64."""

from __future__ import annotations

import dataclasses

import pytest

from prr_policies.controls import evaluate
from prr_policies.facts import EnvironmentVariable as Env
from prr_policies.facts import LambdaFunction, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings

from .test_rules import GOOD

S = load_settings()
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN


def status(cid: str, changes: dict, settings=S) -> Status:
    return evaluate(cid, dataclasses.replace(GOOD, **changes), settings).status


@pytest.mark.parametrize("changes, expected", [
    ({}, P),
    ({"log_format": None}, F),  # Lambda's default is Text
    ({"log_format": "Text"}, F),
    ({"application_log_level": None, "system_log_level": None}, P),  # Lambda's defaults (INFO) are allowed
    ({"application_log_level": "DEBUG"}, F),
    ({"system_log_level": "DEBUG"}, F),
    ({"log_format": U}, UNK),
    ({"application_log_level": U}, UNK),
    ({"log_format": "Text", "application_log_level": U}, F),  # Text fails whatever the level
])
def test_structured_logging(changes, expected):
    assert status("PRR-LAMBDA-017", changes) is expected


@pytest.mark.parametrize("changes, expected", [
    ({}, P),  # POWERTOOLS_SERVICE_NAME
    ({"environment": (), "layers": ("arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7",)}, P),
    ({"environment": (), "layers": ("layer:AWSLambdaPowertoolsPythonV3-vendored",)}, P),
    ({"environment": (Env("STAGE", "prod"),), "layers": None}, F),
    ({"environment": None, "layers": ("arn:aws:lambda:eu-west-1:1:layer:utils:3",)}, F),
    ({"environment": U, "layers": None}, UNK),
    ({"environment": (), "layers": U}, UNK),
    ({"environment": U, "layers": ("arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPython:1",)}, P),  # the layer decides
])
def test_powertools(changes, expected):
    assert status("PRR-LAMBDA-018", changes) is expected


@pytest.mark.parametrize("variables, expected", [
    ((), NA),
    ((Env("STAGE", "prod"), Env("LOG_LEVEL", "INFO"), Env("PORT", "8080"), Env("FEATURE_X", "true")), P),
    ((Env("DB_PASSWORD", "hunter2-prod"),), F),
    ((Env("db_passwd", "x1y2z3w4"),), F),  # names match case-insensitively
    ((Env("GITHUB_TOKEN", "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),), F),
    ((Env("SIGNING", "Zx9qL2mV8rT4wK7pN1bY6cH3sD5fG0jE"),), F),  # random-looking, whatever its name
    ((Env("BUILD_SHA", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"),), P),  # hex: under 4 bits per character
    ((Env("DB_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf"),), P),
    ((Env("DB_SECRET_NAME", "orders/db"),), P),  # the name says it holds a reference
    ((Env("API_KEY", "/orders/api-key"),), P),  # a parameter name
    ((Env("API_TOKEN", "{{resolve:secretsmanager:orders/api:SecretString:token}}"),), P),
    ((Env("AUTH_URL", "https://login.example.com/oauth2/token"),), P),
    ((Env("AUTH_URL", "https://user:pass@login.example.com/"),), F),  # credentials in a URL
    ((Env("DB", "copied", "secret_value"),), F),  # the value of a secret, whatever it looks like
    ((Env("QUEUE_URL", U, "reference"),), P),  # another resource's attribute is not a literal
    ((Env("DB_PASSWORD", U),), UNK),  # an unresolved value cannot be judged
    ((Env("DB_PASSWORD", U), Env("TOKEN", "abcdefghij-literal")), F),  # a known leak is a FAIL even beside an unknown
])
def test_plaintext_secrets(variables, expected):
    assert status("PRR-LAMBDA-019", {"environment": variables}) is expected


def test_plaintext_secrets_never_prints_the_value_and_honours_suppressions():
    fn = dataclasses.replace(GOOD, address="arn:aws:lambda:eu-west-1:1:function:orders", environment=(Env("DB_PASSWORD", "hunter2-prod"),))
    result = evaluate("PRR-LAMBDA-019", fn, S)
    assert result.status is F and "DB_PASSWORD" in result.reason and "hunter2" not in result.reason
    for allowed in (("DB_PASSWORD",), ("orders/DB_PASSWORD",)):
        s = dataclasses.replace(S, plain_secrets=dataclasses.replace(S.plain_secrets, allowed=allowed))
        assert evaluate("PRR-LAMBDA-019", fn, s).status is P
    other = dataclasses.replace(S, plain_secrets=dataclasses.replace(S.plain_secrets, allowed=("billing/DB_PASSWORD",)))
    assert evaluate("PRR-LAMBDA-019", fn, other).status is F  # a suppression names its function
    off = dataclasses.replace(S, plain_secrets=dataclasses.replace(S.plain_secrets, enabled=False))
    assert evaluate("PRR-LAMBDA-019", fn, off).status is NA


@pytest.mark.parametrize("changes, expected", [
    ({}, P),
    ({"vpc_availability_zones": ("eu-west-1a", "eu-west-1a")}, F),
    ({"vpc_availability_zones": ("eu-west-1a",)}, F),
    ({"vpc_subnet_ids": None, "vpc_availability_zones": None}, NA),
    ({"vpc_availability_zones": U}, UNK),
    ({"vpc_subnet_ids": U}, UNK),
])
def test_multi_az(changes, expected):
    assert status("PRR-LAMBDA-020", changes) is expected


@pytest.mark.parametrize("changes, expected", [
    ({}, P), ({"architectures": None}, F), ({"architectures": ("x86_64",)}, F), ({"architectures": U}, UNK),
])
def test_arm64_preferred(changes, expected):
    assert status("PRR-LAMBDA-023", changes) is expected
    off = dataclasses.replace(S, cost=dataclasses.replace(S.cost, prefer_arm64=False))
    assert status("PRR-LAMBDA-023", changes, off) is NA


def test_every_issue13_setting_section_in_defaults_yaml_equals_its_dataclass_defaults():
    """The sections are additive: a prr.yaml without them gets the same values as defaults.yaml says."""
    for name in ("events", "logging", "powertools", "plain_secrets", "alarms", "idempotency", "keys", "resilience", "cost", "account"):
        assert getattr(S, name) == type(getattr(S, name))(), name
    assert isinstance(GOOD, LambdaFunction)
