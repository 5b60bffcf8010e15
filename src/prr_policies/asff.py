"""Results in the AWS Security Finding Format (ASFF), for AWS Security Hub. Pure: no boto3.

``from_audit(report, ctx)`` and ``from_scan(findings, ctx)`` turn the results of
``prr-policies audit`` and ``prr-policies scan`` into ASFF findings:

- **Id** is stable: ``prr-policies/<account>/<region>/<control>/<resource>`` (hashed past
  ASFF's 512 characters), so a later run updates the same finding instead of adding one;
- **Compliance.Status**: PASS -> PASSED, FAIL -> FAILED, UNKNOWN -> FAILED (fail closed: the
  reason says ``UNKNOWN: ...``), NOT_APPLICABLE -> NOT_AVAILABLE;
- **Severity.Label**: the control's severity for FAILED findings, INFORMATIONAL otherwise
  (``Severity.Original`` keeps the control's);
- **Resources**: the resource's ARN and ASFF type (``AwsLambdaFunction``, ...), or ``Other``;
  a scanned Terraform resource is ``Other`` with its address and file under ``Details.Other``;
- **Remediation**, **Compliance.RelatedRequirements** (PRR requirements, then ISO/IEC 27001,
  SOC 2 and NIST CSF ids) from the catalog;
- every string is cut to its ASFF limit when built.

``validate(finding)`` is our own check of ASFF's limits and enumerations: botocore's model
checks only required members and types, and moto accepts a 101-finding batch or a
``Compliance.Status`` of ``BOGUS``. Each problem names the JSON path inside the finding.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from prr_policies.catalog import Control, catalog
from prr_policies.errors import InputError
from prr_policies.result import Status

SCHEMA_VERSION = "2018-10-08"
PREFIX = "prr-policies"
MAX_FINDING_BYTES = 240 * 1024  # "The maximum allowed size for a finding is 240 Kb"
BATCH_LIMIT = 100  # BatchImportFindings takes 1 to 100 findings per request
TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/Production Readiness Review"

# WARNING (issue 13: e.g. a runtime inside its deprecation warning window) is ASFF's own WARNING, at LOW severity.
COMPLIANCE = {Status.PASS: "PASSED", Status.FAIL: "FAILED", Status.UNKNOWN: "FAILED", Status.NOT_APPLICABLE: "NOT_AVAILABLE",
              Status.WARNING: "WARNING"}

# ASFF resource types for the CloudFormation types the audit reports against: ASFF spells the
# type without "::" and with each all-caps service word capitalised (AWS::SQS::Queue ->
# AwsSqsQueue). Only the types below exist in ASFF (Security Hub's resource list); any other is
# "Other" with the ARN kept.
ASFF_RESOURCE_TYPES = frozenset({
    "AwsLambdaFunction", "AwsSqsQueue", "AwsSnsTopic", "AwsSecretsManagerSecret", "AwsKmsKey", "AwsIamRole",
    "AwsApiGatewayStage", "AwsApiGatewayV2Stage", "AwsAccount",
})


def asff_resource_type(resource_type: str) -> str:
    words = [w.capitalize() if w.isupper() else w for w in resource_type.split("::") if w]
    name = "Aws" + "".join(words[1:]) if words and words[0] == "Aws" else "Other"
    return name if name in ASFF_RESOURCE_TYPES else "Other"


# ASFF limits (AWS Security Hub API reference, AwsSecurityFinding and its members):
# path -> (min length, max length) for strings, or max items for lists / maps.
STRING_LIMITS: dict[str, tuple[int, int]] = {
    "Id": (1, 512), "ProductArn": (12, 2048), "GeneratorId": (1, 512), "AwsAccountId": (12, 12),
    "Title": (1, 256), "Description": (1, 1024), "ProductName": (1, 128), "CompanyName": (1, 128), "Region": (1, 16),
    "Severity.Original": (1, 64), "Remediation.Recommendation.Text": (1, 512),
    "Resources[].Type": (1, 256), "Resources[].Id": (1, 10**9), "Resources[].Region": (1, 16),
    "Types[]": (1, 10**9), "Compliance.RelatedRequirements[]": (1, 10**9),
}
LIST_LIMITS = {"Types": 50, "Resources": 32, "Compliance.RelatedRequirements": 32, "ProductFields": 50}
ENUMS = {
    "Severity.Label": {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"},
    "Compliance.Status": {"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"},
    "RecordState": {"ACTIVE", "ARCHIVED"},
    "Resources[].Partition": {"aws", "aws-cn", "aws-us-gov"},
}
TYPE_NAMESPACES = ("Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications")
REQUIRED = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title",
            "Description", "Resources")
PRODUCT_FIELD_KEY_MAX, PRODUCT_FIELD_VALUE_MAX = 128, 2048
# YYYY-MM-DDTHH:MM:SS, up to 9 fraction digits, then Z or an offset (+HH:MM, -HHMM)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$")
ACCOUNT = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def partition_of(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


@dataclass(frozen=True)
class Context:
    """Where the findings are imported: the account and Region of the Security Hub that receives them."""

    account_id: str
    region: str
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))

    def __post_init__(self) -> None:
        if not ACCOUNT.match(self.account_id):
            raise InputError("asff", "AwsAccountId", f"{self.account_id!r} is not a 12-digit AWS account id")
        if not REGION.match(self.region):
            raise InputError("asff", "Region", f"{self.region!r} is not a Region name like eu-west-1")

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def product_arn(self) -> str:
        """The default product of the account: what custom integrations import as."""
        return f"arn:{self.partition}:securityhub:{self.region}:{self.account_id}:product/{self.account_id}/default"

    @property
    def timestamp(self) -> str:
        return self.now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split()) or "-"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def finding_id(ctx: Context, *parts: str) -> str:
    whole = "/".join((PREFIX, ctx.account_id, ctx.region, *parts))
    if len(whole) <= STRING_LIMITS["Id"][1]:
        return whole
    digest = hashlib.sha256(whole.encode()).hexdigest()  # 64 characters; the head stays readable
    return f"{whole[:STRING_LIMITS['Id'][1] - 65]}#{digest}"


def related_requirements(control: Control) -> list[str]:
    c = control.compliance
    out = [f"PRR {r}" for r in control.requirements]
    out += [f"ISO/IEC 27001:2022 {x}" for x in c.iso27001_2022] + [f"SOC 2 {x}" for x in c.soc2_tsc]
    out += [f"NIST CSF 2.0 {x}" for x in c.nist_csf_2]
    return out[: LIST_LIMITS["Compliance.RelatedRequirements"]]


def remediation_text(control: Control) -> str:
    return _cut(f"{control.title}. Run `prr-policies catalog --control {control.id}` for the rationale and the Terraform fix: "
                f"{control.remediation}", STRING_LIMITS["Remediation.Recommendation.Text"][1])


def build(ctx: Context, control_id: str, status: Status, reason: str, resources: list[dict[str, Any]], id_parts: Iterable[str],
          generator: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """One ASFF finding for one control on one resource."""
    try:
        control = catalog().control(control_id)
    except KeyError:
        raise InputError("asff", "GeneratorId", f"{control_id} is not a catalog control") from None
    failed = COMPLIANCE[status] == "FAILED"
    said = f"{status.value}: {reason}" if status is not Status.PASS else reason
    product = {"prr/ControlId": control.id, "prr/Status": status.value, "prr/Source": generator,
               "prr/Reason": _cut(reason, PRODUCT_FIELD_VALUE_MAX), **(fields or {})}
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(ctx, *id_parts),
        "ProductArn": ctx.product_arn,
        "ProductName": "prr-policies",
        "CompanyName": "prr-policies",
        "Region": ctx.region,
        "GeneratorId": f"{PREFIX}/{control.id}",
        "AwsAccountId": ctx.account_id,
        "Types": [TYPE],
        "CreatedAt": ctx.timestamp,
        "UpdatedAt": ctx.timestamp,
        "Severity": {"Label": control.severity if failed else "LOW" if status is Status.WARNING else "INFORMATIONAL",
                     "Original": control.severity},
        "Title": _cut(f"{control.id} {control.title}", STRING_LIMITS["Title"][1]),
        "Description": _cut(f"{said} ({control.rationale})", STRING_LIMITS["Description"][1]),
        "Remediation": {"Recommendation": {"Text": remediation_text(control)}},
        "ProductFields": {k: _cut(v, PRODUCT_FIELD_VALUE_MAX) for k, v in product.items()},
        "Resources": resources[: LIST_LIMITS["Resources"]],
        "Compliance": {"Status": COMPLIANCE[status], "RelatedRequirements": related_requirements(control),
                       "SecurityControlId": control.id},
        "RecordState": "ACTIVE",
    }


def resource_arn(ctx: Context, resource_type: str, resource: str) -> str | None:
    """The ARN of an audited resource, when the result names one or it can be built."""
    if resource.startswith("arn:"):
        return resource
    if resource_type == "AWS::CodeDeploy::DeploymentGroup" and resource.count("/") == 1:
        app, group = resource.split("/")
        return f"arn:{ctx.partition}:codedeploy:{ctx.region}:{ctx.account_id}:deploymentgroup:{app}/{group}"
    return None


def audit_resource(ctx: Context, resource_type: str, resource_id: str, resource: str) -> dict[str, Any]:
    arn = resource_arn(ctx, resource_type, resource)
    out: dict[str, Any] = {"Type": asff_resource_type(resource_type) if arn else "Other",
                           "Id": arn or f"{resource_type}/{resource}", "Partition": ctx.partition, "Region": ctx.region}
    details = {"CloudFormationType": resource_type, "ResourceId": resource_id}
    if out["Type"] == "Other":
        out["Details"] = {"Other": {k: _cut(v, 1024) for k, v in details.items()}}
    return out


def from_audit(report: Any, ctx: Context) -> list[dict[str, Any]]:
    """ASFF findings for a :class:`prr_policies.audit.Report` (one per control and resource)."""
    out = []
    for f in report.findings:
        resource = audit_resource(ctx, f.resource_type, f.resource_id, f.result.resource)
        out.append(build(ctx, f.control_id, f.result.status, f.result.reason, [resource],
                         (f.control_id, f.result.resource), "audit", {"prr/CloudFormationType": f.resource_type}))
    return out


def from_scan(found: Iterable[Any], ctx: Context) -> list[dict[str, Any]]:
    """ASFF findings for the PRR controls of a scan (:class:`prr_policies.scan.Finding`);
    checkov's built-in checks carry no catalog entry and are left out."""
    out = []
    for f in found:
        if not f.control_id:
            continue
        details = {"TerraformAddress": f.resource, "File": f.file, "Framework": f.framework, "CheckId": f.check_id}
        resource = {"Type": "Other", "Id": _cut(f"terraform:{f.file}:{f.resource}", 512), "Partition": ctx.partition,
                    "Region": ctx.region, "Details": {"Other": {k: _cut(v, 1024) for k, v in details.items()}}}
        out.append(build(ctx, f.control_id, f.status, f.reason, [resource], ("scan", f.control_id, f.file, f.resource), "scan",
                         {"prr/CheckId": f.check_id}))
    return out


def validate(finding: Any) -> list[str]:
    """Every way ``finding`` breaks ASFF's rules, each naming its JSON path; [] when valid."""
    if not isinstance(finding, dict):
        return ["$: a finding is a JSON object"]
    problems = [f"{k}: required" for k in REQUIRED if finding.get(k) in (None, "", [])]
    if finding.get("SchemaVersion") not in (None, SCHEMA_VERSION):
        problems.append(f"SchemaVersion: must be {SCHEMA_VERSION}")

    def get(path: str) -> list[tuple[str, Any]]:
        """Values at a limits path (``Resources[].Type``), each with its concrete JSON path."""
        found: list[tuple[str, Any]] = [("", finding)]
        for part in path.split("."):
            many = part.endswith("[]")
            key = part[:-2] if many else part
            nxt = []
            for where, node in found:
                if not isinstance(node, dict) or key not in node:
                    continue
                here = f"{where}.{key}" if where else key
                if many:
                    if isinstance(node[key], list):
                        nxt += [(f"{here}[{i}]", item) for i, item in enumerate(node[key])]
                    else:
                        problems.append(f"{here}: expected a list")
                else:
                    nxt.append((here, node[key]))
            found = nxt
        return found

    for path, (low, high) in STRING_LIMITS.items():
        for where, value in get(path):
            if not isinstance(value, str):
                problems.append(f"{where}: expected a string")
            elif not value.strip():
                problems.append(f"{where}: must not be blank")
            elif not low <= len(value) <= high:
                problems.append(f"{where}: length {len(value)} is outside {low}..{high}")
    for path, most in LIST_LIMITS.items():
        for where, value in get(path):
            if isinstance(value, (list, dict)) and len(value) > most:
                problems.append(f"{where}: {len(value)} items, at most {most}")
            if path == "Resources" and isinstance(value, list) and not value:
                problems.append(f"{where}: at least one resource")
    for path, allowed in ENUMS.items():
        for where, value in get(path):
            if value not in allowed:
                problems.append(f"{where}: {value!r} is not one of {', '.join(sorted(allowed))}")
    for where, value in get("Types[]"):
        if isinstance(value, str) and (value.count("/") > 2 or value.split("/")[0] not in TYPE_NAMESPACES):
            problems.append(f"{where}: {value!r} is not namespace/category/classifier with a namespace of {', '.join(TYPE_NAMESPACES)}")
    for key in ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"):
        value = finding.get(key)
        if value is not None and not (isinstance(value, str) and TIMESTAMP.match(value)):
            problems.append(f"{key}: {value!r} is not an ASFF timestamp (YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM))")
    if "AwsAccountId" in finding and not (isinstance(finding["AwsAccountId"], str) and ACCOUNT.match(finding["AwsAccountId"])):
        problems.append("AwsAccountId: expected 12 digits")
    fields = finding.get("ProductFields")
    if isinstance(fields, dict):
        for k, v in fields.items():
            if not isinstance(k, str) or not 1 <= len(k) <= PRODUCT_FIELD_KEY_MAX:
                problems.append(f"ProductFields.{k}: a key has 1 to {PRODUCT_FIELD_KEY_MAX} characters")
            if not isinstance(v, str) or len(v) > PRODUCT_FIELD_VALUE_MAX:
                problems.append(f"ProductFields.{k}: a value is a string of at most {PRODUCT_FIELD_VALUE_MAX} characters")
    size = len(json.dumps(finding).encode())
    if size > MAX_FINDING_BYTES:
        problems.append(f"$: {size} bytes; a finding is at most {MAX_FINDING_BYTES}")
    return problems


def validate_all(findings: list[dict[str, Any]]) -> list[str]:
    """Problems of every finding (prefixed ``[i]``), plus duplicate ids in one import."""
    out = [f"[{i}].{p}" for i, f in enumerate(findings) for p in validate(f)]
    seen: dict[str, int] = {}
    for i, f in enumerate(findings):
        fid = f.get("Id") if isinstance(f, dict) else None
        if fid in seen:
            out.append(f"[{i}].Id: {fid!r} repeats finding [{seen[fid]}]")
        elif isinstance(fid, str):
            seen[fid] = i
    return out


def render(findings: list[dict[str, Any]]) -> str:
    """The findings as BatchImportFindings takes them (``{"Findings": [...]}``)."""
    return json.dumps({"Findings": findings}, indent=2)
