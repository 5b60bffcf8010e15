"""AWS Config configuration items -> facts.

Quirks handled here (see ../shared/TRAPS.md): reserved concurrency is recorded under
``supplementaryConfiguration.Concurrency``; the KMS key is spelled ``kmskeyArn`` in Config's
schema (``kmsKeyArn`` is accepted too); environment variables, the code signing config,
asynchronous invoke configs and the role's boundary are not recorded, so they are Unknown.
Items fetched through the API carry ``configuration`` as a JSON string; both shapes are read.
"""

from __future__ import annotations

import json
from typing import Any

from prr_policies.errors import InputError
from prr_policies.facts import LambdaFunction, Unknown

NOT_RECORDED = "AWS Config does not record {what} for AWS::Lambda::Function"


def _mapping(value: Any, source: str, path: str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(source, path, f"not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise InputError(source, path, f"expected an object, got {type(value).__name__}")
    return value


def _typed(value: Any, kind: type, source: str, path: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) if kind is bool else (isinstance(value, kind) and not isinstance(value, bool)):
        return value
    raise InputError(source, path, f"expected {kind.__name__}, got {type(value).__name__} {value!r}")


def lambda_function(item: Any, source: str = "<configuration item>") -> LambdaFunction:
    """Facts from one AWS::Lambda::Function configuration item (a dict as Config delivers it)."""
    item = _mapping(item, source, "")
    rtype = item.get("resourceType")
    if rtype != "AWS::Lambda::Function":
        raise InputError(source, "resourceType", f"expected AWS::Lambda::Function, got {rtype!r}")
    config = _mapping(item.get("configuration"), source, "configuration")
    supplementary = item.get("supplementaryConfiguration") or {}
    supplementary = _mapping(supplementary, source, "supplementaryConfiguration")
    address = item.get("ARN") or config.get("functionArn") or item.get("resourceName") or item.get("resourceId")
    if not isinstance(address, str) or not address:
        raise InputError(source, "ARN", "the item names no function (ARN, resourceName and resourceId are empty)")

    concurrency: Any = None
    if "Concurrency" in supplementary:
        conc = _mapping(supplementary["Concurrency"], source, "supplementaryConfiguration.Concurrency")
        concurrency = _typed(conc.get("reservedConcurrentExecutions"), int, source,
                             "supplementaryConfiguration.Concurrency.reservedConcurrentExecutions")

    key_field = "kmskeyArn" if "kmskeyArn" in config else "kmsKeyArn"
    kms = _typed(config.get(key_field), str, source, f"configuration.{key_field}")

    tracing = config.get("tracingConfig")
    tracing_mode = _typed(_mapping(tracing, source, "configuration.tracingConfig").get("mode"), str, source,
                          "configuration.tracingConfig.mode") if tracing is not None else None

    if "deadLetterConfig" in config:
        dlq_cfg = config["deadLetterConfig"]
        dlq: Any = None if dlq_cfg is None else _typed(
            _mapping(dlq_cfg, source, "configuration.deadLetterConfig").get("targetArn"), str, source,
            "configuration.deadLetterConfig.targetArn")
    else:
        dlq = Unknown("the configuration item has no deadLetterConfig field")

    vpc = config.get("vpcConfig")
    subnets: Any = None
    if vpc is not None:
        ids = _mapping(vpc, source, "configuration.vpcConfig").get("subnetIds")
        if ids is not None and not (isinstance(ids, list) and all(isinstance(s, str) for s in ids)):
            raise InputError(source, "configuration.vpcConfig.subnetIds", "expected a list of subnet ids")
        subnets = tuple(ids) if ids else None

    return LambdaFunction(
        address=address,
        package_type=_typed(config.get("packageType"), str, source, "configuration.packageType") or "Zip",
        runtime=_typed(config.get("runtime"), str, source, "configuration.runtime"),
        tracing_mode=tracing_mode,
        reserved_concurrency=concurrency,
        timeout=_typed(config.get("timeout"), int, source, "configuration.timeout"),
        memory_size=_typed(config.get("memorySize"), int, source, "configuration.memorySize"),
        has_environment_variables=Unknown(NOT_RECORDED.format(what="environment variables")),
        kms_key_arn=kms,
        code_signing_config_arn=Unknown(NOT_RECORDED.format(what="the code signing config")),
        dead_letter_target_arn=dlq,
        on_failure_destination=Unknown(NOT_RECORDED.format(what="asynchronous invoke configs")),
        vpc_subnet_ids=subnets,
        role=Unknown(NOT_RECORDED.format(what="the execution role's permissions boundary")),
    )


# ---- every resource type the Config rules evaluate -----------------------------------------

from prr_policies.sources import aws_shapes as shapes  # noqa: E402

RESOURCE_TYPES = ("AWS::Lambda::Function", "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage", "AWS::SQS::Queue",
                  "AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::KMS::Key", "AWS::Lambda::CodeSigningConfig",
                  "AWS::CodeDeploy::DeploymentGroup", "AWS::IAM::Role")
DELETED = ("ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded")


def resource_type(item: Any, source: str = "<configuration item>") -> str:
    item = _mapping(item, source, "")
    rtype = item.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise InputError(source, "resourceType", "missing")
    return rtype


def address_of(item: dict[str, Any]) -> str:
    for key in ("ARN", "arn", "resourceId", "resourceName"):
        if isinstance(item.get(key), str) and item[key]:
            return item[key]
    return "<resource>"


def facts_from_item(item: Any, source: str = "<configuration item>", dlq_suffixes: tuple[str, ...] = ()) -> Any:
    """Facts from one configuration item of any of RESOURCE_TYPES (a dict, or its JSON).

    Fields Config does not record are Unknown naming the field; the Config rule handler fills
    them with a describe call where it can (see ``prr_policies.config_rules``)."""
    item = _mapping(item, source, "")
    rtype = resource_type(item, source)
    if rtype == "AWS::Lambda::Function":
        return lambda_function(item, source)
    if rtype not in RESOURCE_TYPES:
        raise InputError(source, "resourceType", f"{rtype!r} is not a type the PRR rules evaluate ({', '.join(RESOURCE_TYPES)})")
    cfg = shapes.View(item.get("configuration"), source, "configuration")
    supp = shapes.View(item.get("supplementaryConfiguration") or {}, source, "supplementaryConfiguration")
    address = address_of(item)
    if rtype == "AWS::ApiGateway::Stage":
        return shapes.api_stage(cfg, address, "REST")
    if rtype == "AWS::ApiGatewayV2::Stage":
        return shapes.api_stage(cfg, address, "V2")
    if rtype == "AWS::SQS::Queue":
        redrive = cfg.raw("RedrivePolicy") if cfg.has("RedrivePolicy") else Unknown(
            "AWS Config does not record the redrive policy of AWS::SQS::Queue")
        return shapes.queue(cfg, address, dlq_suffixes, redrive=redrive)
    if rtype == "AWS::SNS::Topic":
        return shapes.topic(cfg, address)
    if rtype == "AWS::SecretsManager::Secret":
        return shapes.secret(cfg, address)
    if rtype == "AWS::KMS::Key":
        rotation = supp.boolean("KeyRotationStatus") if supp.has("KeyRotationStatus") else Unknown(
            "the configuration item has no supplementaryConfiguration.KeyRotationStatus")
        return shapes.kms_key(cfg, address, rotation)
    if rtype == "AWS::Lambda::CodeSigningConfig":
        return shapes.code_signing_config(cfg, address)
    if rtype == "AWS::CodeDeploy::DeploymentGroup":
        return shapes.deployment_group(cfg, address)
    return shapes.iam_role(cfg, address)
