"""Rules for Secrets Manager secrets and KMS keys."""

from __future__ import annotations

import fnmatch

from prr_policies.controls._common import P, F, NA, Verdict, cmk, first_unknown, rule, unknown
from prr_policies.facts import IamPolicy, KmsKey, Secret, Unknown
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


# ---- issue 13 -----------------------------------------------------------------------------------

@rule("PRR-KMS-002")
def key_not_scheduled_for_deletion(k: KmsKey, settings: Settings) -> Verdict:
    if isinstance(k.key_manager, Unknown):
        return unknown("The key manager", k.key_manager)
    if k.key_manager == "AWS":
        return (NA, "AWS manages the key's life cycle.")
    if isinstance(k.key_state, Unknown):
        return unknown("The key state", k.key_state)
    if k.key_state in ("PendingDeletion", "PendingReplicaDeletion"):
        return (F, f"The key is scheduled for deletion ({k.key_state}): once deleted, everything encrypted under it is lost. "
                   "Cancel the deletion unless it is intended.")
    return (P, f"The key is {k.key_state or 'not scheduled for deletion'}.")


@rule("PRR-KMS-003")
def key_deletion_window(k: KmsKey, settings: Settings) -> Verdict:
    minimum = settings.keys.min_deletion_window_days
    if isinstance(k.key_manager, Unknown):
        return unknown("The key manager", k.key_manager)
    if k.key_manager == "AWS":
        return (NA, "AWS manages the key's life cycle.")
    if isinstance(k.deletion_window_days, Unknown):
        return unknown("The deletion window", k.deletion_window_days)
    if k.deletion_window_days is None and isinstance(k.deletion_days_left, int):
        # DescribeKey gives a scheduled key's deletion date, not the waiting period chosen: the
        # period is at least the days left, which settles it only when they reach the minimum.
        if k.deletion_days_left >= minimum:
            return (P, f"The key is deleted in {k.deletion_days_left} days: it was given at least that long.")
        return unknown("The waiting period chosen", Unknown(
            f"DescribeKey reports the deletion date ({k.deletion_days_left} days left), not the waiting period chosen"))
    if isinstance(k.deletion_days_left, Unknown):
        return unknown("The days left before deletion", k.deletion_days_left)
    if k.deletion_window_days is None:
        return (NA, "No deletion is scheduled: the waiting period is chosen when it is.")
    if k.deletion_window_days < minimum:
        return (F, f"The key waits only {k.deletion_window_days} days before deletion, less than {minimum}: a mistaken "
                   "deletion may be noticed too late to cancel.")
    return (P, f"The key waits {k.deletion_window_days} days before deletion.")


_DECRYPT = ("kms:decrypt", "kms:reencryptfrom")


def _allows_decrypt_on_all_keys(statement: dict) -> bool:
    if statement.get("Effect") != "Allow" or "NotAction" in statement or "NotResource" in statement:
        return False
    actions = statement.get("Action")
    resources = statement.get("Resource")
    actions = [actions] if isinstance(actions, str) else actions or []
    resources = [resources] if isinstance(resources, str) else resources or []
    decrypts = any(isinstance(a, str) and fnmatch.fnmatchcase(d, a.lower()) for a in actions for d in _DECRYPT)
    everywhere = any(r in ("*", "arn:aws:kms:*:*:key/*", "arn:aws:kms:*:*:*") for r in resources if isinstance(r, str))
    return decrypts and everywhere


@rule("PRR-KMS-004")
def no_decrypt_on_all_keys(p: IamPolicy, settings: Settings) -> Verdict:
    if p.boundary_only:
        return (NA, "The policy is only a permissions boundary: it limits what its roles may do and grants nothing.")
    if isinstance(p.document, Unknown):
        return unknown("The policy document", p.document)
    if not p.document:
        return (NA, "The policy has no document.")
    statements = p.document.get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    wide = [str(st.get("Sid") or f"Statement[{i}]") for i, st in enumerate(statements) if isinstance(st, dict) and _allows_decrypt_on_all_keys(st)]
    if wide:
        return (F, f"Statement(s) {', '.join(wide)} allow kms:Decrypt or kms:ReEncryptFrom on every KMS key: name the keys "
                   "the principal needs instead.")
    return (P, "The policy allows decryption only with named keys, if at all.")


@rule("PRR-SECRETS-003")
def secret_rotation_succeeds(sec: Secret, settings: Settings) -> Verdict:
    if isinstance(sec.rotation_enabled, Unknown):
        return unknown("Whether rotation is enabled", sec.rotation_enabled)
    if sec.rotation_enabled is not True:
        return (NA, "Automatic rotation is not enabled (the rotation control judges that).")
    if isinstance(sec.rotation_on_schedule, Unknown):
        return unknown("Whether rotation happens on schedule", sec.rotation_on_schedule)
    if sec.rotation_on_schedule is not True:
        return (F, "Scheduled rotation is not happening: the last rotation failed or is overdue, so the secret stays valid longer than agreed.")
    return (P, "The secret rotates on schedule.")


@rule("PRR-SECRETS-004")
def secret_in_use(sec: Secret, settings: Settings) -> Verdict:
    limit = settings.secrets.max_unused_days
    if limit is None:
        return (NA, "Settings do not check for unused secrets.")
    if isinstance(sec.days_since_last_access, Unknown):
        return unknown("When the secret was last read", sec.days_since_last_access)
    if sec.days_since_last_access is None:
        return (NA, "The secret's last access is not tracked.")
    if sec.days_since_last_access > limit:
        return (F, f"The secret has not been read for {sec.days_since_last_access} days (more than {limit}): an unused "
                   "credential is risk without purpose; delete it.")
    return (P, f"The secret was read {sec.days_since_last_access} days ago.")
