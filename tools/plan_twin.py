"""Write the plan-JSON twin of a Terraform fixture directory, in ``terraform show -json`` format.

Terraform providers cannot be downloaded here, so ``terraform plan`` cannot run; the twins are
derived from the HCL by this script instead, modelling what a plan shows:
- every schema attribute of a resource type listed in SCHEMAS is present, unset ones as null,
  unset blocks as [], provider defaults materialised (timeout 3, memory_size 128, ...);
- a literal, or a reference to another resource's literal attribute, is a known value;
- a reference to a computed attribute (arn, id, ...) and a variable without a default are
  "known after apply": omitted from ``values``, ``true`` in ``after_unknown``, and listed under
  ``references`` in ``configuration`` (Terraform cannot plan with an unset variable; a value fed
  from another module's output at apply time is what such a variable stands for);
- ``dynamic`` blocks are expanded: an empty ``for_each`` gives no block.

Usage: python tools/plan_twin.py DIR [DIR ...]   (writes DIR/plan.json)
       python tools/plan_twin.py --check DIR ... (exit 1 when a committed twin differs)
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

from prr_policies.sources.kinds import terraform_defaults

B = "block"
SCHEMAS: dict[str, dict[str, Any]] = {
    "aws_lambda_function": {
        "architectures": None, "code_signing_config_arn": None, "description": None, "filename": None,
        "function_name": None, "handler": None, "image_uri": None, "kms_key_arn": None, "layers": None,
        "memory_size": None, "package_type": None, "publish": False, "reserved_concurrent_executions": None,
        "role": None, "runtime": None, "s3_bucket": None, "s3_key": None, "source_code_hash": None,
        "tags": None, "timeout": None,
        "dead_letter_config": {B: {"target_arn": None}},
        "environment": {B: {"variables": None}},
        "ephemeral_storage": {B: {"size": 512}},
        "logging_config": {B: {"log_format": None, "log_group": None, "application_log_level": None, "system_log_level": None}},
        "tracing_config": {B: {"mode": None}},
        "vpc_config": {B: {"subnet_ids": None, "security_group_ids": None, "ipv6_allowed_for_dual_stack": False}},
    },
    "aws_iam_role": {
        "assume_role_policy": None, "description": None, "force_detach_policies": False, "max_session_duration": 3600,
        "name": None, "path": "/", "permissions_boundary": None, "tags": None,
    },
    "aws_lambda_function_event_invoke_config": {
        "function_name": None, "maximum_event_age_in_seconds": None, "maximum_retry_attempts": None, "qualifier": None,
        "destination_config": {B: {"on_failure": {B: {"destination": None}}, "on_success": {B: {"destination": None}}}},
    },
    "aws_lambda_function_url": {
        "authorization_type": None, "function_name": None, "invoke_mode": "BUFFERED", "qualifier": None,
        "cors": {B: {"allow_origins": None, "allow_methods": None}},
    },
    "aws_lambda_permission": {
        "action": None, "event_source_token": None, "function_name": None, "function_url_auth_type": None,
        "principal": None, "principal_org_id": None, "qualifier": None, "source_account": None, "source_arn": None,
        "statement_id": None,
    },
    "aws_sqs_queue": {
        "delay_seconds": 0, "kms_master_key_id": None, "message_retention_seconds": 345600, "name": None,
        "redrive_allow_policy": None, "redrive_policy": None, "sqs_managed_sse_enabled": None, "tags": None,
        "visibility_timeout_seconds": 30,
    },
    "aws_kms_key": {"customer_master_key_spec": "SYMMETRIC_DEFAULT", "deletion_window_in_days": None, "description": None,
                    "enable_key_rotation": False, "is_enabled": True, "key_usage": "ENCRYPT_DECRYPT", "policy": None, "tags": None},
    "aws_lambda_event_source_mapping": {
        "batch_size": None, "enabled": True, "event_source_arn": None, "function_name": None,
        "function_response_types": None, "maximum_batching_window_in_seconds": None,
        "maximum_record_age_in_seconds": None, "maximum_retry_attempts": None, "starting_position": None,
        "destination_config": {B: {"on_failure": {B: {"destination_arn": None}}}},
    },
    "aws_sns_topic": {"display_name": None, "kms_master_key_id": None, "name": None, "policy": None, "tags": None},
    "aws_secretsmanager_secret": {"description": None, "kms_key_id": None, "name": None, "recovery_window_in_days": 30, "tags": None},
    "aws_lambda_code_signing_config": {
        "description": None,
        "allowed_publishers": {B: {"signing_profile_version_arns": None}},
        "policies": {B: {"untrusted_artifact_on_deployment": None}},
    },
    "aws_codedeploy_deployment_group": {
        "app_name": None, "deployment_config_name": "CodeDeployDefault.OneAtATime", "deployment_group_name": None,
        "service_role_arn": None, "tags": None,
        "alarm_configuration": {B: {"alarms": None, "enabled": False, "ignore_poll_alarm_failure": False}},
        "auto_rollback_configuration": {B: {"enabled": False, "events": None}},
        "deployment_style": {B: {"deployment_option": "WITHOUT_TRAFFIC_CONTROL", "deployment_type": "IN_PLACE"}},
    },
    "aws_api_gateway_stage": {
        "cache_cluster_enabled": None, "deployment_id": None, "description": None, "rest_api_id": None, "stage_name": None,
        "tags": None, "xray_tracing_enabled": False,
        "access_log_settings": {B: {"destination_arn": None, "format": None}},
    },
    "aws_cloudwatch_log_group": {"kms_key_id": None, "name": None, "retention_in_days": 0, "tags": None},
}
COMPUTED = ("arn", "id", "invoke_arn", "qualified_arn", "execution_arn", "url", "function_url", "version")
REF = re.compile(r"(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*")
UNKNOWN = object()


class Model:
    def __init__(self, parsed: dict[str, Any]) -> None:
        self.variables: dict[str, Any] = {}
        for entry in parsed.get("variable", []):
            for name, body in entry.items():
                self.variables[name] = body["default"][0] if "default" in body else UNKNOWN
        self.resources: list[tuple[str, str, dict[str, Any]]] = []
        for entry in parsed.get("resource", []):
            for rtype, by_name in entry.items():
                for name, body in by_name.items():
                    for meta in ("count", "for_each"):
                        if meta in body:
                            raise SystemExit(f"{rtype}.{name}: {meta} is not supported by the twin generator")
                    self.resources.append((rtype, name, body))
        self.literals = {f"{t}.{n}": b for t, n, b in self.resources}

    def resolve(self, ref: str) -> Any:
        parts = ref.split(".")
        if parts[0] == "var":
            return self.variables.get(parts[1], UNKNOWN)
        if len(parts) == 3 and f"{parts[0]}.{parts[1]}" in self.literals:
            body = self.literals[f"{parts[0]}.{parts[1]}"]
            value = body.get(parts[2], [UNKNOWN])[0] if parts[2] not in COMPUTED else UNKNOWN
            return self.value(value)[0]
        return UNKNOWN

    def value(self, raw: Any) -> tuple[Any, list[str]]:
        """(known value or UNKNOWN, references) of one HCL attribute value."""
        if isinstance(raw, str):
            m = re.fullmatch(r"\$\{(.*)\}", raw, re.S)
            if m and m.group(1).startswith("jsonencode("):
                try:
                    return json.dumps(ast.literal_eval(m.group(1)[len("jsonencode("):-1]), separators=(",", ":")), []
                except (ValueError, SyntaxError):
                    return UNKNOWN, []
            if m and re.fullmatch(r"-?\d+(\.\d+)?", m.group(1).strip()):
                return ast.literal_eval(m.group(1).strip()), []
            if m and REF.fullmatch(m.group(1)):
                ref = m.group(1)
                parts = ref.split(".")
                refs = [ref] if parts[0] == "var" else [ref, ".".join(parts[:2])]
                return self.resolve(ref), refs
            if "${" in raw:
                refs = []
                for inner in re.findall(r"\$\{([^}]*)\}", raw):
                    if REF.fullmatch(inner):
                        parts = inner.split(".")
                        refs += [inner] if parts[0] == "var" else [inner, ".".join(parts[:2])]
                return UNKNOWN, refs
            return raw, []
        if isinstance(raw, list):
            out, refs = [], []
            for item in raw:
                v, r = self.value(item)
                refs += r
                if v is UNKNOWN:
                    return UNKNOWN, refs
                out.append(v)
            return out, refs
        if isinstance(raw, dict):
            out_d, refs = {}, []
            for k, item in raw.items():
                v, r = self.value(item)
                refs += r
                if v is UNKNOWN:
                    return UNKNOWN, refs
                out_d[k] = v
            return out_d, refs
        return raw, []


def _blocks(body: dict[str, Any], key: str, model: Model) -> Any:
    """Instances of a nested block, with dynamic blocks expanded (UNKNOWN when for_each is)."""
    found = [b for b in body.get(key, []) if isinstance(b, dict)]
    for dyn in body.get("dynamic", []):
        if key in dyn:
            for_each, _ = model.value(dyn[key]["for_each"][0])
            if for_each is UNKNOWN:
                return UNKNOWN
            found += [dyn[key]["content"][0]] * len(for_each)
    return found


def render(body: dict[str, Any], schema: dict[str, Any] | None, model: Model, defaults: dict[str, Any]) -> tuple[dict, dict, dict]:
    """(values, after_unknown, expressions) of one resource or block body."""
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    expressions: dict[str, Any] = {}
    keys = list(schema) if schema is not None else [k for k in body if not k.startswith("__") and k != "dynamic"]
    for key in keys:
        spec = schema.get(key) if schema is not None else None
        if isinstance(spec, dict) and B in spec:
            instances = _blocks(body, key, model)
            if instances is UNKNOWN:
                unknown[key] = True
                continue
            rendered = [render(b, spec[B], model, {}) for b in instances]
            values[key] = [r[0] for r in rendered]
            if any(r[1] for r in rendered):
                unknown[key] = [r[1] for r in rendered]
            if rendered:
                expressions[key] = [r[2] for r in rendered]
            continue
        if key not in body:
            values[key] = defaults.get(key, spec)
            continue
        raw = body[key][0] if isinstance(body[key], list) and len(body[key]) == 1 else body[key]
        if isinstance(raw, dict) and schema is None:  # a block of a type without schema
            raw = body[key]
        value, refs = model.value(raw)
        if refs or value is UNKNOWN:
            expressions[key] = {"references": refs}
        else:
            expressions[key] = {"constant_value": value}
        if value is UNKNOWN:
            unknown[key] = True
        else:
            values[key] = value
    return values, unknown, expressions


def twin(directory: Path) -> dict[str, Any]:
    text = "\n".join(p.read_text() for p in sorted(directory.glob("*.tf")))
    model = Model(hcl2.loads(text))
    planned, changes, config = [], [], []
    for rtype, name, body in model.resources:
        address = f"{rtype}.{name}"
        values, after_unknown, expressions = render(body, SCHEMAS.get(rtype), model, terraform_defaults(rtype))
        for computed in ("arn", "id"):
            after_unknown.setdefault(computed, True)
        provider = "registry.terraform.io/hashicorp/aws"
        planned.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                        "provider_name": provider, "schema_version": 0, "values": values, "sensitive_values": {}})
        changes.append({"address": address, "mode": "managed", "type": rtype, "name": name, "provider_name": provider,
                        "change": {"actions": ["create"], "before": None, "after": values,
                                   "after_unknown": after_unknown, "before_sensitive": False, "after_sensitive": {}}})
        config.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                       "provider_config_key": "aws", "expressions": expressions, "schema_version": 0})
    variables = {n: ({"default": v} if v is not UNKNOWN else {}) for n, v in model.variables.items()}
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {n: {"value": v} for n, v in model.variables.items() if v is not UNKNOWN},
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}},
            "root_module": {"resources": config, "variables": variables},
        },
    }


def dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for arg in (a for a in argv if a != "--check"):
        directory = Path(arg)
        text = dump(twin(directory))
        target = directory / "plan.json"
        if check:
            if not target.is_file() or target.read_text() != text:
                stale.append(str(target))
        else:
            target.write_text(text)
    for s in stale:
        print(f"stale plan twin: {s} (run python tools/plan_twin.py {Path(s).parent})")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
