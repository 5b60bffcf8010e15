"""Account-level services that watch the functions in a Region: GuardDuty Lambda Protection and
Amazon Inspector's Lambda scans. Terraform judges each resource it declares; the audit and AWS
Config read the account."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, rule, unknown
from prr_policies.facts import GuardDutyProtection, InspectorScanning, Unknown
from prr_policies.settings import Settings

LAMBDA_FEATURE = "LAMBDA_NETWORK_LOGS"


@rule("PRR-ACCOUNT-001")
def guardduty_lambda_protection(g: GuardDutyProtection, settings: Settings) -> Verdict:
    """GuardDuty Lambda Protection is on: an enabled detector with LAMBDA_NETWORK_LOGS ENABLED."""
    if not settings.account.guardduty_lambda_protection_required:
        return (NA, "Settings do not require GuardDuty Lambda Protection.")
    if isinstance(g.feature, Unknown):
        return unknown("The detector feature's name", g.feature)
    if g.feature is not None and g.feature != LAMBDA_FEATURE:
        return (NA, f"The feature {g.feature} is not Lambda Protection ({LAMBDA_FEATURE}).")
    if isinstance(g.detector_enabled, Unknown):
        return unknown("Whether the GuardDuty detector is enabled", g.detector_enabled)
    if g.detector_enabled is None:
        return (F, "The account has no GuardDuty detector in this Region: nothing watches the functions' network activity.")
    if g.detector_enabled is False:
        return (F, "The GuardDuty detector is disabled, so Lambda Protection watches nothing.")
    if isinstance(g.lambda_network_logs, Unknown):
        return unknown("The status of Lambda Protection", g.lambda_network_logs)
    if g.lambda_network_logs == "ENABLED":
        return (P, f"The detector is enabled and Lambda Protection ({LAMBDA_FEATURE}) is ENABLED.")
    if g.lambda_network_logs is None:
        if g.whole_account is True:
            return (F, f"GuardDuty reports no {LAMBDA_FEATURE} feature on the detector: Lambda Protection is off.")
        return (F, f"Lambda Protection ({LAMBDA_FEATURE}) is not enabled on the detector: no aws_guardduty_detector_feature "
                   "in the configuration turns it on.")
    return (F, f"Lambda Protection ({LAMBDA_FEATURE}) is {g.lambda_network_logs} on the detector.")


def _scan(label: str, status: object) -> Verdict | None:
    """None when the scan is ENABLED; else the verdict that says why not."""
    if isinstance(status, Unknown):
        return unknown(f"The status of Inspector's {label}", status)
    if status == "ENABLED":
        return None
    if status == "ENABLING":
        return unknown(f"Inspector's {label}", Unknown("it is being enabled (ENABLING)"))
    return (F, f"Inspector's {label} is {status or 'not activated'}: vulnerable packages or code in the functions go unreported.")


@rule("PRR-ACCOUNT-002")
def inspector_lambda_scanning(i: InspectorScanning, settings: Settings) -> Verdict:
    """Amazon Inspector scans the functions: standard scanning (LAMBDA), and code scanning
    (LAMBDA_CODE) where account.inspector_lambda_code_scanning_required says so."""
    d = settings.account
    if not d.inspector_lambda_scanning_required and not d.inspector_lambda_code_scanning_required:
        return (NA, "Settings do not require Inspector to scan Lambda functions.")
    # code scanning needs standard scanning: AWS turns it off with standard scanning
    standard = _scan("Lambda standard scanning (LAMBDA)", i.lambda_standard)
    if standard is not None:
        return standard
    if d.inspector_lambda_code_scanning_required:
        code = _scan("Lambda code scanning (LAMBDA_CODE)", i.lambda_code)
        if code is not None:
            return code
        return (P, "Inspector scans the functions' packages and code (LAMBDA and LAMBDA_CODE are ENABLED).")
    return (P, "Inspector scans the functions' packages (LAMBDA is ENABLED).")
