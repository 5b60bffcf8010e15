"""Rules for Secrets Manager secrets and KMS keys."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, cmk, first_unknown, rule, unknown
from prr_policies.facts import KmsKey, Secret, Unknown
from prr_policies.settings import Settings


@rule("PRR-SECRETS-001")
def secret_rotation(sec: Secret, settings: Settings) -> Verdict:
    s = settings.secrets
    if not s.rotation_required:
        return (NA, "Settings do not require secret rotation.")
    if not isinstance(sec.rotation_enabled, Unknown) and sec.rotation_enabled is not True:  # known, whatever the interval
        return (F, "Automatic rotation is not enabled.")
    found = first_unknown(rotation=sec.rotation_enabled, rotation_interval=sec.rotation_days)
    if found:
        return found
    if sec.rotation_days is None or sec.rotation_days > s.max_rotation_days:
        return (F, f"The secret rotates every {sec.rotation_days} days, less often than every {s.max_rotation_days}.")
    return (P, f"The secret rotates every {sec.rotation_days} days.")


@rule("PRR-SECRETS-002")
def secret_cmk(sec: Secret, settings: Settings) -> Verdict:
    return cmk("secret", sec.kms_key_id, settings.secrets.cmk_required,
                extra_fail="The secret uses the default aws/secretsmanager key, not a customer-managed key.")


@rule("PRR-KMS-001")
def key_rotation(k: KmsKey, settings: Settings) -> Verdict:
    found = first_unknown(key_manager=k.key_manager, key_state=k.key_state)
    if found:
        return found
    if k.key_manager == "AWS":
        return (NA, "AWS rotates AWS managed keys itself.")
    if k.key_state in ("PendingDeletion", "PendingReplicaDeletion"):
        return (NA, f"The key is {k.key_state}.")
    found = first_unknown(key_spec=k.key_spec, key_material_origin=k.origin)
    if found:
        return found
    if k.key_spec not in (None, "SYMMETRIC_DEFAULT") or k.origin not in (None, "AWS_KMS"):
        return (NA, f"Automatic rotation applies to symmetric keys with AWS_KMS key material, not {k.key_spec} / {k.origin}.")
    if isinstance(k.rotation_enabled, Unknown):
        return unknown("The key rotation status", k.rotation_enabled)
    if k.rotation_enabled is True:
        return (P, "Automatic key rotation is enabled.")
    return (F, "Automatic key rotation is not enabled.")
