"""Rules for event delivery: EventBridge rule targets and event buses, SNS subscriptions and S3
notifications to functions."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, first_unknown, public_statements, rule, unknown
from prr_policies.facts import Bucket, EventBus, EventRuleTargets, Unknown
from prr_policies.settings import Settings

# EventBridge's retry policy when a target sets none.
DEFAULT_RETRY_ATTEMPTS, DEFAULT_EVENT_AGE_SECONDS = 185, 86400


@rule("PRR-EVENTS-001")
def event_target_dlq(r: EventRuleTargets, settings: Settings) -> Verdict:
    s = settings.events
    if not s.dlq_required:
        return (NA, "Settings do not require dead-letter queues on EventBridge targets.")
    if isinstance(r.targets, Unknown):
        return unknown("The rule's targets", r.targets)
    missing, unknowns, judged = [], [], 0
    for t in r.targets or ():
        if isinstance(t.kind, Unknown):
            unknowns.append((f"The kind of target {t.target_id}", t.kind))
            continue
        if t.kind not in s.dlq_target_kinds:
            continue
        judged += 1
        if isinstance(t.dead_letter_arn, Unknown):
            unknowns.append((f"The dead-letter queue of target {t.target_id}", t.dead_letter_arn))
        elif not t.dead_letter_arn:
            missing.append(f"{t.target_id} ({t.kind})")
    if missing:
        return (F, f"Target(s) {', '.join(missing)} have no dead-letter queue: an event EventBridge cannot deliver "
                   "after its retries is dropped.")
    if unknowns:
        return unknown(*unknowns[0])
    if not judged:
        return (NA, f"The rule has no {'/'.join(s.dlq_target_kinds)} target.")
    return (P, f"Every {'/'.join(s.dlq_target_kinds)} target ({judged}) sends undeliverable events to a dead-letter queue.")


@rule("PRR-EVENTS-002")
def event_target_retries(r: EventRuleTargets, settings: Settings) -> Verdict:
    s = settings.events
    if isinstance(r.targets, Unknown):
        return unknown("The rule's targets", r.targets)
    if not r.targets:
        return (NA, "The rule has no targets.")
    problems, unknowns = [], []
    for t in r.targets:
        attempts, age = t.maximum_retry_attempts, t.maximum_event_age_seconds
        if isinstance(attempts, Unknown) or isinstance(age, Unknown):
            unknowns.append((f"The retry policy of target {t.target_id}", attempts if isinstance(attempts, Unknown) else age))
            continue
        attempts = DEFAULT_RETRY_ATTEMPTS if attempts is None else attempts
        age = DEFAULT_EVENT_AGE_SECONDS if age is None else age
        if attempts > s.max_retry_attempts or age > s.max_event_age_seconds:
            problems.append(f"{t.target_id} retries {attempts} times over {age} s")
    if problems:
        return (F, f"Target(s) retry beyond the agreed {s.max_retry_attempts} attempts / {s.max_event_age_seconds} s: "
                   f"{'; '.join(problems)} (EventBridge's default is {DEFAULT_RETRY_ATTEMPTS} attempts over 24 hours).")
    if unknowns:
        return unknown(*unknowns[0])
    return (P, f"Every target retries at most {s.max_retry_attempts} times within {s.max_event_age_seconds} s.")


@rule("PRR-EVENTS-003")
def event_bus_not_public(bus: EventBus, settings: Settings) -> Verdict:
    if isinstance(bus.policy, Unknown):
        return unknown("The event bus policy", bus.policy)
    if not bus.policy:
        return (P, "The event bus has no resource policy: only the account's own principals can put events.")
    public = public_statements(bus.policy)
    if public:
        return (F, f"Statement(s) {', '.join(public)} let any AWS account put events on the bus (Principal \"*\" without "
                   "a condition pinning the account, organization or source).")
    return (P, "The event bus policy grants only named principals or pins them with a condition.")


@rule("PRR-BUCKET-001")
def s3_notification_permissions(b: Bucket, settings: Settings) -> Verdict:
    if isinstance(b.lambda_notifications, Unknown):
        return unknown("The bucket's notifications", b.lambda_notifications)
    if not b.lambda_notifications:
        return (NA, "The bucket notifies no function.")
    problems, unknowns = [], []
    for n in b.lambda_notifications:
        found = first_unknown(permission=n.permission_found)
        if found:
            unknowns.append(found)
            continue
        if n.permission_found is not True:
            problems.append(f"{n.function}: no aws_lambda_permission lets s3.amazonaws.com invoke it")
            continue
        missing = [k for k, v in (("source_arn", n.source_arn), ("source_account", n.source_account)) if not v]
        wrapped = first_unknown(source_arn=n.source_arn, source_account=n.source_account)
        if missing and not any(isinstance(v, Unknown) for v in (n.source_arn, n.source_account)):
            problems.append(f"{n.function}: the grant to S3 has no {' and no '.join(missing)}")
        elif wrapped:
            unknowns.append(wrapped)
    if problems:
        return (F, "; ".join(problems) + ": S3 could invoke it for any bucket or account (a confused deputy), or cannot invoke it at all.")
    if unknowns:
        return unknowns[0]
    return (P, f"Every notified function ({len(b.lambda_notifications)}) lets S3 invoke it only for this bucket and account.")
