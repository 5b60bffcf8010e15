"""Findings into AWS Security Hub: ``BatchImportFindings`` in batches of at most 100.

Every finding is validated against ASFF's limits first (:func:`prr_policies.asff.validate_all`):
an invalid finding is our bug and nothing is sent. A batch the service refuses (AccessDenied,
Security Hub not enabled, throttling past botocore's retries) counts each of its findings as
failed with that error code; findings the service rejects one by one come back in
``FailedFindings`` and are reported with their id, code and message. The CLI exits 3 when any
finding was not imported: the findings did not reach the place security teams look.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

from prr_policies import asff
from prr_policies.errors import InputError


@dataclass
class ImportResult:
    imported: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {"Id", "ErrorCode", "ErrorMessage"}
    batches: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        lines = [f"Security Hub: {self.imported} finding(s) imported in {self.batches} batch(es), {len(self.failed)} failed"]
        lines += [f"  {f['Id']}: {f['ErrorCode']}: {f['ErrorMessage']}" for f in self.failed]
        return "\n".join(lines)


def batches(findings: list[dict[str, Any]], size: int = asff.BATCH_LIMIT) -> Iterable[list[dict[str, Any]]]:
    if not 1 <= size <= asff.BATCH_LIMIT:
        raise ValueError(f"BatchImportFindings takes 1 to {asff.BATCH_LIMIT} findings per call")
    for i in range(0, len(findings), size):
        yield findings[i:i + size]


def import_findings(client: Any, findings: list[dict[str, Any]], size: int = asff.BATCH_LIMIT) -> ImportResult:
    """Send ``findings`` with a ``securityhub`` client; never raises for a refused batch."""
    problems = asff.validate_all(findings)
    if problems:
        raise InputError("asff", problems[0].split(":", 1)[0], problems[0].split(":", 1)[1].strip()
                         + (f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""))
    from botocore.exceptions import BotoCoreError, ClientError

    result = ImportResult()
    for batch in batches(findings, size):
        result.batches += 1
        try:
            resp = client.batch_import_findings(Findings=batch)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            result.failed += [{"Id": f["Id"], "ErrorCode": err.get("Code", "ClientError"), "ErrorMessage": err.get("Message", str(exc))}
                              for f in batch]
            continue
        except BotoCoreError as exc:
            result.failed += [{"Id": f["Id"], "ErrorCode": type(exc).__name__, "ErrorMessage": str(exc)} for f in batch]
            continue
        failed = resp.get("FailedFindings") or []
        result.failed += [{"Id": f.get("Id", "?"), "ErrorCode": f.get("ErrorCode", "?"), "ErrorMessage": f.get("ErrorMessage", "")}
                          for f in failed]
        result.imported += int(resp.get("SuccessCount", len(batch) - len(failed)))
    return result


def scan_context() -> asff.Context:
    """For ``scan -o asff``: ``AWS_REGION``/``AWS_DEFAULT_REGION`` and ``AWS_ACCOUNT_ID``, or
    the account of the credentials at hand (STS) when boto3 is installed."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise InputError("scan -o asff", "", "ASFF names the Region of the Security Hub that receives the findings: set AWS_REGION")
    account = os.environ.get("AWS_ACCOUNT_ID")
    if not account:
        try:
            import boto3
            import botocore.exceptions
        except ImportError:
            raise InputError("scan -o asff", "", "set AWS_ACCOUNT_ID (the account of the Security Hub that receives the findings)") from None
        try:
            account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise InputError("scan -o asff", "", f"set AWS_ACCOUNT_ID, or give credentials STS accepts ({exc})") from None
    return asff.Context(account, region)


def render_scan(found: Iterable[Any]) -> str:
    """``prr-policies scan -o asff``: the PRR findings of a scan as ASFF."""
    findings = asff.from_scan(found, scan_context())
    problems = asff.validate_all(findings)
    if problems:
        raise InputError("asff", "", problems[0])
    return asff.render(findings)


def audit_sink(report: Any, client: Any, account: str | None, region: str, output: str, send: bool, code: int) -> int:
    """``prr-policies audit -o asff`` and/or ``--security-hub``: prints the report in ``output``
    (ASFF or one of the audit's renderers), imports the ASFF findings when ``send``. ``client``
    is the audit's client factory, ``account`` and ``region`` those it audited, ``code`` the
    audit's own exit code. Exit: 3 when the account id is unknown or any finding was not
    imported, else ``code``."""
    from prr_policies import audit

    if not account:
        print("prr-policies: ASFF findings name the account, and sts:GetCallerIdentity gave none", file=sys.stderr)
        return 3
    findings = asff.from_audit(report, asff.Context(account, region))
    print(asff.render(findings) if output == "asff" else audit.RENDERERS[output](report))
    if send:
        result = import_findings(client("securityhub"), findings)
        print(result.summary(), file=sys.stderr)
        if not result.ok:
            return 3
    return code
