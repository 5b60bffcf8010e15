"""The AWS Config conformance pack, generated from the catalog and ``prr.yaml``.

AWS managed rules where the catalog names one (with parameters from the settings), and the
PRR custom rules (one Lambda, ``ControlId`` parameter) for the controls no managed rule carries
whole. ``validate`` checks what Config enforces on a pack: at most 51,200 bytes and 60
parameters, an ``Owner`` Config knows, managed identifiers and parameter names AWS publishes
(checked against AWS's list, shipped as managed_rules.json), message types and execution frequencies from Config's
enums; the tests also run cfn-lint on it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from prr_policies.catalog import catalog
from prr_policies.config_rules.evaluators import EVALUATORS
from prr_policies.settings import Settings

MAX_TEMPLATE_BYTES = 51200
MAX_PARAMETERS = 60
OWNERS = ("AWS", "CUSTOM_LAMBDA", "CUSTOM_POLICY")
MESSAGE_TYPES = ("ConfigurationItemChangeNotification", "ConfigurationSnapshotDeliveryCompleted", "ScheduledNotification",
                 "OversizedConfigurationItemChangeNotification")
FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
RULE_NAME = re.compile(r"^[A-Za-z0-9-_]{1,128}$")
FUNCTION_PARAMETER = "PrrRuleFunctionArn"


def managed_parameters(identifier: str, settings: Settings) -> dict[str, str] | None:
    """InputParameters for a managed rule; None when the settings leave the rule out."""
    la = settings.lambda_
    table: dict[str, Any] = {
        "LAMBDA_CONCURRENCY_CHECK": {"ConcurrencyLimitLow": str(la.reserved_concurrency.min), "ConcurrencyLimitHigh": str(la.reserved_concurrency.max)},
        "LAMBDA_DLQ_CHECK": {},
        "LAMBDA_INSIDE_VPC": {} if la.require_vpc else None,
        "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED": {},
        "API_GW_ASSOCIATED_WITH_WAF": {} if settings.apigateway.waf_required else None,
        "API_GW_XRAY_ENABLED": {},
        "API_GW_EXECUTION_LOGGING_ENABLED": {"loggingLevel": ",".join(settings.apigateway.logging_levels)},
        "API_GWV2_ACCESS_LOGS_ENABLED": {} if settings.apigateway.access_logs_required else None,
        "CW_LOGGROUP_RETENTION_PERIOD_CHECK": {"MinRetentionTime": str(settings.logs.min_retention_days)},
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED": {} if settings.logs.kms_required else None,
        "SECRETSMANAGER_ROTATION_ENABLED_CHECK": {"maximumAllowedRotationFrequency": str(settings.secrets.max_rotation_days)}
        if settings.secrets.rotation_required else None,
        "SECRETSMANAGER_USING_CMK": {} if settings.secrets.cmk_required else None,
        "CMK_BACKING_KEY_ROTATION_ENABLED": {},
        "SNS_ENCRYPTED_KMS": {} if settings.sns.cmk_required else None,
        # issue 13
        "LAMBDA_FUNCTION_LOG_FORMAT_JSON": {} if settings.logging.json_required else None,
        # logLevel: the levels a JSON function may use (AWS: NON_COMPLIANT for a level not listed)
        "LAMBDA_FUNCTION_APPLICATION_LOG_LEVEL_CHECK": {"logLevel": ",".join(settings.logging.application_log_levels)}
        if settings.logging.json_required else None,
        "LAMBDA_FUNCTION_SYSTEM_LOG_LEVEL_CHECK": {"logLevel": ",".join(settings.logging.system_log_levels)}
        if settings.logging.json_required else None,
        "LAMBDA_VPC_MULTI_AZ_CHECK": {},  # AWS default: more than one Availability Zone
        "SQS_QUEUE_NO_PUBLIC_ACCESS": {},
        "SNS_TOPIC_NO_PUBLIC_ACCESS": {},
        "S3_BUCKET_VERSIONING_ENABLED": {} if settings.resilience.bucket_versioning_required else None,
        "DYNAMODB_PITR_ENABLED": {} if settings.resilience.pitr_required else None,
        "DYNAMODB_IN_BACKUP_PLAN": {} if settings.resilience.table_backup_required else None,
        # an action for ALARM is required; OK and INSUFFICIENT_DATA actions are not
        "CLOUDWATCH_ALARM_ACTION_CHECK": {"alarmActionRequired": "true", "insufficientDataActionRequired": "false",
                                          "okActionRequired": "false"} if settings.alarms.action_required else None,
        "CLOUDWATCH_ALARM_ACTION_ENABLED_CHECK": {} if settings.alarms.action_required else None,
        "CODEDEPLOY_LAMBDA_ALLATONCE_TRAFFIC_SHIFT_DISABLED": {} if "AllAtOnce" not in settings.release.allowed_deployment_types else None,
        "CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED": {},
        # it knows no exceptions: left out when the settings name public routes (the custom rule honours them)
        "API_GWV2_AUTHORIZATION_TYPE_CONFIGURED": {} if not settings.apigateway.public_routes else None,
        "WAFV2_WEBACL_NOT_EMPTY": {} if settings.apigateway.waf_required else None,
        "API_GW_SSL_ENABLED": {} if settings.apigateway.client_certificate_required else None,
        "KMS_CMK_NOT_SCHEDULED_FOR_DELETION": {},
        "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK": {},
        "SECRETSMANAGER_SECRET_UNUSED": {"unusedForDays": str(settings.secrets.max_unused_days)}
        if settings.secrets.max_unused_days is not None else None,
        "GUARDDUTY_LAMBDA_PROTECTION_ENABLED": {} if settings.account.guardduty_lambda_protection_required else None,
        "INSPECTOR_LAMBDA_STANDARD_SCAN_ENABLED": {} if settings.account.inspector_lambda_scanning_required else None,
        # offered in fewer Regions than standard scanning: only where the settings ask for code scanning
        "INSPECTOR_LAMBDA_CODE_SCAN_ENABLED": {} if settings.account.inspector_lambda_code_scanning_required else None,
    }
    if identifier not in table:
        raise KeyError(f"no parameters known for managed rule {identifier}")
    return table[identifier]


@lru_cache(maxsize=1)
def managed_rules() -> dict[str, dict]:
    """AWS's entries (parameters, trigger, resource types) for the managed rules the catalog names.
    Shipped with the package (``managed_rules.json``, written by tools/managed_rules.py from the
    list moto carries; a test keeps them equal), so generation needs no moto."""
    return json.loads((Path(__file__).resolve().parent / "managed_rules.json").read_text(encoding="utf-8"))


def _logical(name: str) -> str:
    return "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", name) if p)


def conformance_pack(settings: Settings) -> dict:
    resources: dict[str, Any] = {}
    for control in catalog().controls:
        for rule in control.enforcement.config_rules:
            if rule.isupper():
                params = managed_parameters(rule, settings)
                if params is None:
                    continue
                info = managed_rules().get(rule, {})
                props: dict[str, Any] = {"ConfigRuleName": f"prr-{rule.lower().replace('_', '-')}",
                                         "Description": f"{control.id}: {control.title} (AWS managed rule {rule})",
                                         "Source": {"Owner": "AWS", "SourceIdentifier": rule}}
                if params:
                    props["InputParameters"] = params
                if info.get("Trigger type") == "Periodic":
                    props["MaximumExecutionFrequency"] = "TwentyFour_Hours"
                else:
                    types = [t.strip() for t in str(info.get("Resource Types", "")).split(",") if t.strip().startswith("AWS::")]
                    if types:
                        props["Scope"] = {"ComplianceResourceTypes": types}
                resources.setdefault(_logical(props["ConfigRuleName"]), {"Type": "AWS::Config::ConfigRule", "Properties": props})
            else:
                ev = EVALUATORS.get(control.id)
                if ev is None or not ev.custom_in_pack:
                    continue
                if ev.trigger == "change":
                    details = [{"EventSource": "aws.config", "MessageType": m}
                               for m in ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification")]
                else:
                    details = [{"EventSource": "aws.config", "MessageType": "ScheduledNotification", "MaximumExecutionFrequency": "TwentyFour_Hours"}]
                props = {"ConfigRuleName": ev.rule_name, "Description": f"{control.id}: {control.title}",
                         "InputParameters": {"ControlId": control.id, "AssumeRoleMode": "false"},
                         "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": {"Ref": FUNCTION_PARAMETER}, "SourceDetails": details}}
                if ev.trigger == "change":
                    props["Scope"] = {"ComplianceResourceTypes": list(ev.resource_types)}
                resources[_logical(ev.rule_name)] = {"Type": "AWS::Config::ConfigRule", "Properties": props}
    return {"Parameters": {FUNCTION_PARAMETER: {"Type": "String", "Description": "ARN of the prr-policies custom rule function"}},
            "Resources": resources}


def render(pack: dict) -> str:
    head = ("# Generated by `prr-policies generate` from the catalog and prr.yaml; do not edit.\n"
            "# Deploy with deploy/config-rules (Terraform), passing the custom-rule function's ARN.\n")
    return head + yaml.safe_dump(pack, sort_keys=False, width=120)


def validate(text: str) -> list[str]:
    problems: list[str] = []
    size = len(text.encode("utf-8"))
    if size > MAX_TEMPLATE_BYTES:
        problems.append(f"the template is {size} bytes; a conformance pack takes at most {MAX_TEMPLATE_BYTES}")
    doc = yaml.safe_load(text)
    params = doc.get("Parameters") or {}
    if len(params) > MAX_PARAMETERS:
        problems.append(f"{len(params)} parameters; at most {MAX_PARAMETERS}")
    names = set()
    for logical, res in (doc.get("Resources") or {}).items():
        where = f"Resources.{logical}"
        if res.get("Type") != "AWS::Config::ConfigRule":
            problems.append(f"{where}.Type: only AWS::Config::ConfigRule (and remediation) resources belong in a pack")
            continue
        p = res.get("Properties") or {}
        name = p.get("ConfigRuleName", "")
        if not RULE_NAME.match(name) or name in names:
            problems.append(f"{where}.Properties.ConfigRuleName: {name!r} is not a unique rule name")
        names.add(name)
        src = p.get("Source") or {}
        owner = src.get("Owner")
        if owner not in OWNERS:
            problems.append(f"{where}.Properties.Source.Owner: {owner!r} is not one of {', '.join(OWNERS)}")
        if owner == "AWS":
            ident = src.get("SourceIdentifier")
            info = managed_rules().get(ident)
            if info is None:
                problems.append(f"{where}.Properties.Source.SourceIdentifier: {ident!r} is not an AWS managed rule")
            else:
                allowed = {q["Name"] for q in info.get("Parameters", [])}
                required = {q["Name"] for q in info.get("Parameters", []) if not q.get("Optional", True)}
                given = set(p.get("InputParameters") or {})
                for extra in sorted(given - allowed):
                    problems.append(f"{where}.Properties.InputParameters.{extra}: not a parameter of {ident}")
                for missing in sorted(required - given):
                    problems.append(f"{where}.Properties.InputParameters.{missing}: required by {ident}")
        for i, d in enumerate(src.get("SourceDetails") or []):
            if d.get("MessageType") not in MESSAGE_TYPES:
                problems.append(f"{where}.Properties.Source.SourceDetails[{i}].MessageType: {d.get('MessageType')!r}")
            if "MaximumExecutionFrequency" in d and d["MaximumExecutionFrequency"] not in FREQUENCIES:
                problems.append(f"{where}.Properties.Source.SourceDetails[{i}].MaximumExecutionFrequency: {d['MaximumExecutionFrequency']!r}")
        if "MaximumExecutionFrequency" in p and p["MaximumExecutionFrequency"] not in FREQUENCIES:
            problems.append(f"{where}.Properties.MaximumExecutionFrequency: {p['MaximumExecutionFrequency']!r}")
        if len(json.dumps(p.get("InputParameters") or {})) > 1024:
            problems.append(f"{where}.Properties.InputParameters: more than 1,024 characters")
    return problems


def rule_permissions() -> dict:
    """The custom-rule function's policy: the audit's read calls plus what rdklib needs."""
    from prr_policies.sources.aws_api import AUDIT_PERMISSIONS

    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadTheServerlessStack", "Effect": "Allow", "Action": list(AUDIT_PERMISSIONS), "Resource": "*"},
        {"Sid": "ReportToConfig", "Effect": "Allow",
         "Action": ["config:PutEvaluations", "config:GetResourceConfigHistory", "config:GetComplianceDetailsByConfigRule"], "Resource": "*"}]}


def generate(settings: Settings) -> dict[str, str]:
    text = render(conformance_pack(settings))
    problems = validate(text)
    if problems:
        from prr_policies.errors import GuardrailError

        raise GuardrailError("(conformance pack)", "; ".join(problems))
    return {"config_rules/conformance-pack.yaml": text,
            "config_rules/rule-permissions.json": json.dumps(rule_permissions(), indent=2) + "\n"}
