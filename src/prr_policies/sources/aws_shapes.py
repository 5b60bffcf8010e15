"""Facts from the dicts AWS returns, whichever door they come through.

AWS Config configuration items and the describe APIs carry the same fields, spelled with
different case (``KmsMasterKeyId`` / ``kmsMasterKeyId``, ``KMSKeyId`` / ``KmsKeyId``) and
sometimes as JSON strings. Each builder here reads one resource's fields through a
case-insensitive view, so the Config rule handler and the live audit build facts with the same
code. A field a source does not carry is passed as ``Unknown(reason)`` by the caller; a field
of the wrong type raises :class:`InputError` naming the path.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from prr_policies.errors import InputError
from prr_policies.facts import (
    ApiStage, CodeSigningConfig, DeploymentGroup, IamRole, KmsKey, Queue, Secret, Topic, Unknown,
)

_MISSING = object()


class View:
    """A case-insensitive, path-tracking view of a dict (JSON strings are parsed on the way)."""

    def __init__(self, data: Any, source: str, path: str = ""):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise InputError(source, path or "(document)", f"not valid JSON: {exc.msg}") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InputError(source, path or "(document)", f"expected an object, got {type(data).__name__}")
        self.data = data
        self.source = source
        self.path = path
        self._lower = {str(k).lower(): k for k in data}

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key.lower() in self._lower

    def raw(self, key: str, default: Any = None) -> Any:
        real = self._lower.get(key.lower(), _MISSING)
        return default if real is _MISSING else self.data[real]

    def get(self, *keys: str) -> Any:
        """The first of ``keys`` present (None if none)."""
        for k in keys:
            if self.has(k):
                return self.raw(k)
        return None

    def view(self, key: str) -> "View":
        return View(self.raw(key), self.source, self._at(key))

    def string(self, key: str) -> str | None:
        v = self.raw(key)
        if v is None or v == "":
            return None
        if not isinstance(v, str):
            raise InputError(self.source, self._at(key), f"expected a string, got {type(v).__name__} {v!r}")
        return v

    def integer(self, key: str) -> int | None:
        v = self.raw(key)
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            raise InputError(self.source, self._at(key), f"expected a number, got {v!r}")
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, str):
            try:
                return int(v)
            except ValueError:
                pass
        raise InputError(self.source, self._at(key), f"expected a whole number, got {v!r}")

    def number(self, key: str) -> float | None:
        v = self.raw(key)
        if v is None or v == "":
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, str):
            try:
                return float(v)
            except ValueError:
                pass
        raise InputError(self.source, self._at(key), f"expected a number, got {v!r}")

    def boolean(self, key: str) -> bool | None:
        v = self.raw(key)
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        raise InputError(self.source, self._at(key), f"expected true or false, got {v!r}")

    def strings(self, key: str) -> tuple[str, ...] | None:
        v = self.raw(key)
        if v is None:
            return None
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise InputError(self.source, self._at(key), "expected a list of strings")
        return tuple(v)


def queue(attrs: View, address: str, dlq_suffixes: tuple[str, ...] = (), redrive: Any = _MISSING) -> Queue:
    """From SQS queue attributes (GetQueueAttributes, or a configuration item's configuration).
    ``redrive`` overrides the RedrivePolicy when the caller fetched it separately."""
    raw = attrs.raw("RedrivePolicy") if redrive is _MISSING else redrive
    target: Any
    count: Any
    if isinstance(raw, Unknown):
        target = count = raw
    elif raw in (None, ""):
        target = count = None
    else:
        pol = View(raw, attrs.source, attrs._at("RedrivePolicy"))
        target, count = pol.string("deadLetterTargetArn"), pol.integer("maxReceiveCount")
    name = (attrs.string("QueueArn") or address).rsplit(":", 1)[-1]
    is_dlq: Any = attrs.has("RedriveAllowPolicy") and attrs.raw("RedriveAllowPolicy") not in (None, "") \
        or any(name.endswith(s) for s in dlq_suffixes)
    return Queue(address=address, kms_master_key_id=attrs.string("KmsMasterKeyId"),
                 sqs_managed_sse=attrs.boolean("SqsManagedSseEnabled"), redrive_target_arn=target, max_receive_count=count,
                 is_dead_letter_queue=bool(is_dlq), visibility_timeout=attrs.integer("VisibilityTimeout"))


def topic(attrs: View, address: str) -> Topic:
    return Topic(address=address, kms_master_key_id=attrs.string("KmsMasterKeyId"))


def secret(cfg: View, address: str) -> Secret:
    rules = cfg.view("RotationRules") if cfg.has("RotationRules") else View({}, cfg.source, cfg._at("RotationRules"))
    days = rules.integer("AutomaticallyAfterDays")
    if days is None and rules.integer("AutomaticallyAfterHours") is not None:
        days = -(-rules.integer("AutomaticallyAfterHours") // 24)
    if days is None and rules.string("ScheduleExpression") or days is None and rules.string("RotationScheduleExpression"):
        days = Unknown("the rotation schedule is a cron or rate expression")  # type: ignore[assignment]
    return Secret(address=address, kms_key_id=cfg.string("KmsKeyId") or cfg.string("KMSKeyId"),
                  rotation_enabled=cfg.boolean("RotationEnabled") or False, rotation_days=days)


def kms_key(cfg: View, address: str, rotation: Any) -> KmsKey:
    return KmsKey(address=address, key_manager=cfg.string("KeyManager"),
                  key_spec=cfg.string("KeySpec") or cfg.string("CustomerMasterKeySpec"), key_state=cfg.string("KeyState"),
                  origin=cfg.string("Origin"), rotation_enabled=rotation)


def code_signing_config(cfg: View, address: str) -> CodeSigningConfig:
    policies = cfg.view("CodeSigningPolicies") if cfg.has("CodeSigningPolicies") else View({}, cfg.source)
    publishers = cfg.view("AllowedPublishers") if cfg.has("AllowedPublishers") else View({}, cfg.source)
    return CodeSigningConfig(address=address, untrusted_artifact_on_deployment=policies.string("UntrustedArtifactOnDeployment") or "Warn",
                             signing_profile_version_arns=publishers.strings("SigningProfileVersionArns") or ())


PREDEFINED_LAMBDA_CONFIGS = {
    "CodeDeployDefault.LambdaAllAtOnce": "AllAtOnce",
}


def deployment_config_type(name: str | None) -> str | Unknown | None:
    """The traffic-routing type of a predefined Lambda deployment config, from its name."""
    if not name:
        return None
    if name in PREDEFINED_LAMBDA_CONFIGS:
        return PREDEFINED_LAMBDA_CONFIGS[name]
    if name.startswith("CodeDeployDefault.LambdaCanary"):
        return "TimeBasedCanary"
    if name.startswith("CodeDeployDefault.LambdaLinear"):
        return "TimeBasedLinear"
    return Unknown(f"{name} is a custom deployment config; its traffic routing is not in the deployment group")


def deployment_group(cfg: View, address: str, config_type: Any = _MISSING, compute_platform: Any = None) -> DeploymentGroup:
    alarms = cfg.view("alarmConfiguration") if cfg.has("alarmConfiguration") else None
    rollback = cfg.view("autoRollbackConfiguration") if cfg.has("autoRollbackConfiguration") else None
    name = cfg.string("deploymentConfigName")
    alarm_list = alarms.raw("alarms") if alarms else None
    names: tuple[str, ...] = ()
    if isinstance(alarm_list, list):
        names = tuple(a.get("name") if isinstance(a, dict) else str(a) for a in alarm_list if a)
    return DeploymentGroup(
        address=address,
        compute_platform=cfg.string("computePlatform") or compute_platform,
        deployment_config_name=name,
        deployment_config_type=deployment_config_type(name) if config_type is _MISSING else config_type,
        alarms_enabled=(alarms.boolean("enabled") or False) if alarms else False,
        alarm_names=names,
        auto_rollback_enabled=(rollback.boolean("enabled") or False) if rollback else False,
        auto_rollback_events=(rollback.strings("events") or ()) if rollback else (),
    )


def trust_services(document: Any, source: str, path: str) -> tuple[str, ...]:
    """Service principals an Allow of sts:AssumeRole names in a trust policy (URL-encoded or not)."""
    if isinstance(document, str) and not document.lstrip().startswith("{"):
        document = urllib.parse.unquote(document)
    doc = View(document, source, path)
    stmts = doc.raw("Statement")
    stmts = stmts if isinstance(stmts, list) else [stmts] if stmts else []
    out: list[str] = []
    for s in stmts:
        if not isinstance(s, dict) or s.get("Effect") != "Allow":
            continue
        principal = s.get("Principal")
        services = principal.get("Service") if isinstance(principal, dict) else None
        for svc in [services] if isinstance(services, str) else services or []:
            if isinstance(svc, str) and svc not in out:
                out.append(svc)
    return tuple(out)


def iam_role(cfg: View, address: str, trust: Any = _MISSING) -> IamRole:
    if trust is _MISSING:
        doc = cfg.get("assumeRolePolicyDocument", "AssumeRolePolicyDocument")
        trust = trust_services(doc, cfg.source, cfg._at("assumeRolePolicyDocument")) if doc is not None else \
            Unknown("the role's trust policy is not in the record")
    boundary = cfg.view("permissionsBoundary").string("permissionsBoundaryArn") if cfg.has("permissionsBoundary") else None
    return IamRole(address=address, trusted_services=trust, permissions_boundary=boundary)


def _method_setting(stage: View, *keys: str) -> Any:
    """A setting of the ``*/*`` method settings (REST) or the default route (V2)."""
    if stage.has("methodSettings"):
        all_methods = stage.view("methodSettings")
        star = all_methods.view("*/*") if all_methods.has("*/*") else None
        if star is None:
            return None
        return star.get(*keys)
    if stage.has("defaultRouteSettings"):
        return stage.view("defaultRouteSettings").get(*keys)
    return _MISSING


def api_stage(cfg: View, address: str, kind: str) -> ApiStage:
    def setting(*keys: str, cast: Any) -> Any:
        v = _method_setting(cfg, *keys)
        if v is _MISSING:
            return None
        return None if v is None else cast(View({"v": v}, cfg.source, cfg._at(keys[0])), "v")

    access = cfg.view("accessLogSettings").string("destinationArn") if cfg.has("accessLogSettings") else None
    return ApiStage(
        address=address, api_kind=kind,
        web_acl_arn=cfg.string("webAclArn") if kind == "REST" else None,
        xray_enabled=(cfg.boolean("tracingEnabled") or False) if kind == "REST" else None,
        execution_logging_level=setting("loggingLevel", cast=View.string) or ("OFF" if kind == "REST" else None),
        access_log_destination=access,
        throttling_rate_limit=setting("throttlingRateLimit", cast=View.number),
        throttling_burst_limit=setting("throttlingBurstLimit", cast=View.integer),
    )
