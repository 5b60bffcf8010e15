"""Rules for recovering data within the RTO and RPO of requirement 1.1: versioned buckets,
point-in-time recovery and backups of tables."""

from __future__ import annotations

import fnmatch

from prr_policies.controls._common import P, F, NA, Verdict, rule, unknown
from prr_policies.facts import Bucket, Table, Unknown
from prr_policies.settings import Settings


@rule("PRR-BUCKET-002")
def bucket_versioning(b: Bucket, settings: Settings) -> Verdict:
    s = settings.resilience
    if not s.bucket_versioning_required:
        return (NA, "Settings do not require versioned buckets.")
    if s.buckets:
        if isinstance(b.name, Unknown):
            return unknown("The bucket name", b.name)
        if not any(fnmatch.fnmatchcase(b.name or "", pattern) for pattern in s.buckets):
            return (NA, f"The bucket is not one of the artifact and data buckets the settings name ({', '.join(s.buckets)}).")
    if isinstance(b.versioning, Unknown):
        return unknown("The bucket's versioning", b.versioning)
    if b.versioning != "Enabled":
        return (F, f"Versioning is {'suspended' if b.versioning == 'Suspended' else 'not enabled'}: an overwritten or "
                   "deleted object (an artifact, a data file) cannot be recovered.")
    return (P, "Versioning is enabled: overwritten and deleted objects can be recovered.")


@rule("PRR-DDB-001")
def table_pitr(t: Table, settings: Settings) -> Verdict:
    s = settings.resilience
    if not s.pitr_required:
        return (NA, "Settings do not require point-in-time recovery.")
    if isinstance(t.point_in_time_recovery, Unknown):
        return unknown("Point-in-time recovery", t.point_in_time_recovery)
    if t.point_in_time_recovery is not True:
        rpo = f" of {settings.readiness.rpo_minutes} minutes" if settings.readiness is not None else ""
        return (F, f"Point-in-time recovery is off: the last on-demand backup bounds the data loss, not the RPO{rpo}.")
    return (P, "Point-in-time recovery is on (restorable to any second of the last 35 days, about five minutes behind).")


@rule("PRR-DDB-002")
def table_backup(t: Table, settings: Settings) -> Verdict:
    s = settings.resilience
    if not s.table_backup_required:
        return (NA, "Settings do not require an AWS Backup plan or replicas for tables.")
    if not isinstance(t.replica_regions, Unknown) and t.replica_regions:
        return (P, f"The table is replicated to {', '.join(t.replica_regions)}.")
    if isinstance(t.backup_plan, Unknown):
        return unknown("Whether an AWS Backup plan covers the table", t.backup_plan)
    if t.backup_plan is True:
        return (P, "An AWS Backup selection covers the table.")
    if isinstance(t.replica_regions, Unknown):
        return unknown("The table's replicas", t.replica_regions)
    rto = f" of {settings.readiness.rto_minutes} minutes" if settings.readiness is not None else ""
    return (F, f"Neither an AWS Backup plan nor a replica in another Region protects the table: a Region or account "
               f"incident cannot be recovered within the RTO{rto}.")
