"""The control matrix (2.x), as Markdown and CSV: per control its requirements, AWS service, how it
is enforced, the checks that enforce it, the evidence, the CloudTrail events that show its subject
being changed, the matching Security Hub controls and the compliance ids."""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from typing import Any

from prr_policies.catalog import Control
from prr_policies.documents._common import Context, control_link, notice, relative, requirement_link, table

# Terraform resource type prefix -> the AWS service it belongs to (longest prefix wins).
SERVICES = {
    "aws_lambda_": "Lambda", "aws_api_gateway_": "API Gateway", "aws_apigatewayv2_": "API Gateway", "aws_sqs_": "SQS",
    "aws_sns_": "SNS", "aws_secretsmanager_": "Secrets Manager", "aws_kms_": "KMS", "aws_codedeploy_": "CodeDeploy",
    "aws_iam_": "IAM", "aws_organizations_": "Organizations", "aws_cloudwatch_log_": "CloudWatch Logs",
    "aws_wafv2_": "WAF", "aws_cloudwatch_event_": "EventBridge", "aws_cloudwatch_metric_alarm": "CloudWatch",
    "aws_s3_": "S3", "aws_dynamodb_": "DynamoDB", "aws_backup_": "AWS Backup", "aws_budgets_": "AWS Budgets",
    "aws_guardduty_": "GuardDuty", "aws_inspector2_": "Inspector",
}


def services(c: Control) -> list[str]:
    out = []
    for t in c.resource_types:
        match = max((p for p in SERVICES if t.startswith(p)), key=len, default=None)
        if match is None:
            raise ValueError(f"{c.id}: no AWS service known for the resource type {t} (documents.matrix.SERVICES)")
        out.append(SERVICES[match])
    return list(dict.fromkeys(out))


def enforcement(c: Control) -> list[str]:
    e = c.enforcement
    kinds = []
    if e.guardrail_sids:
        kinds.append("preventive")
    if e.config_rules:
        kinds.append("detective")
    if e.checkov:
        kinds.append("static")
    if e.audit:
        kinds.append("audit")
    if c.facts is None:
        kinds.append("manual")
    return kinds


def checks(c: Control) -> list[str]:
    e = c.enforcement
    return ([f"checkov {x}" for x in e.checkov] + [f"Config {x}" for x in e.config_rules]
            + [f"SCP/boundary Sid {x}" for x in e.guardrail_sids] + [f"audit {x}" for x in e.audit])


def evidence(c: Control) -> list[str]:
    out = []
    if c.enforcement.checkov:
        out.append("scan result (prr-policies scan -o json)")
    if c.enforcement.config_rules:
        out.append("Config compliance (conformance pack)")
    if c.facts is not None:
        out.append(f"evidence bundle /controls/{c.id}")
    if c.enforcement.guardrail_sids:
        out.append("generated SCP and boundary files (prr-generated.json digests) and their attachment, attested")
    return out


@lru_cache(maxsize=None)
def event_source(service: str) -> str:
    from prr_policies.documents.validate import botocore_session

    return botocore_session().get_service_model(service).metadata["endpointPrefix"] + ".amazonaws.com"


def events(c: Control) -> list[str]:
    return [f"{event_source(s)} {op}" for s, op in (ev.split(":", 1) for ev in c.cloudtrail_events)]


def _row(ctx: Context, c: Control, page: str | None) -> list[Any]:
    comp = c.compliance
    reqs = [requirement_link(r, page) if page else r for r in c.requirements]
    return [", ".join(reqs), control_link(c.id, page) if page else c.id, c.title, ", ".join(services(c)),
            ", ".join(enforcement(c)), checks(c), evidence(c), events(c), list(c.security_hub),
            list(comp.iso27001_2022), list(comp.soc2_tsc), list(comp.nist_csf_2)]


HEADERS = ["requirements", "control", "title", "AWS service", "enforcement", "check", "evidence", "CloudTrail events (eventSource eventName)",
           "Security Hub", "ISO/IEC 27001:2022", "SOC 2 TSC", "NIST CSF 2.0"]


def markdown(ctx: Context) -> str:
    page = "matrix.md"
    rows = [[v if isinstance(v, str) else "<br>".join(v) for v in _row(ctx, c, page)] for c in ctx.controls()]
    return (notice("the catalog") + "# Control matrix (2.x)\n\n"
            "Every control of the catalog: the requirements it serves, where and how it is enforced, the evidence it "
            "leaves, the CloudTrail events that show its subject being changed (each checked against the service's API "
            "in botocore's models), the AWS Security Hub controls that check the same thing (ids from the list shipped "
            "with the package, [source](#security-hub-source)) and its compliance ids. Also as "
            f"[CSV]({relative('matrix.csv', page)}).\n\n"
            "Lambda records its events with the API version appended to the name (e.g. "
            "`UpdateFunctionConfiguration20150331v2`): match Lambda event names by prefix.\n\n"
            + table(HEADERS, rows) + "\n\n## Security Hub source {#security-hub-source}\n\n" + ctx.cat.security_hub_source + "\n")


def csv_text(ctx: Context) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADERS)
    for c in ctx.controls():
        w.writerow([v if isinstance(v, str) else "; ".join(v) for v in _row(ctx, c, None)])
    return buf.getvalue()
