"""Rules for SQS queues and SNS topics."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, cmk, first_unknown, public_statements, rule, unknown
from prr_policies.facts import Queue, Topic, TopicSubscriptions, Unknown
from prr_policies.settings import Settings


@rule("PRR-SQS-001")
def queue_cmk(q: Queue, settings: Settings) -> Verdict:
    sse = q.sqs_managed_sse
    extra = "The queue uses SQS-managed encryption (SSE-SQS), not a customer-managed KMS key." if sse is True else None
    return cmk("queue", q.kms_master_key_id, settings.sqs.cmk_required, extra_fail=extra)


@rule("PRR-SQS-002")
def queue_dlq(q: Queue, settings: Settings) -> Verdict:
    s = settings.sqs
    if not s.dlq_required:
        return (NA, "Settings do not require a dead-letter queue.")
    if q.is_dead_letter_queue is True:
        return (NA, "The queue is a dead-letter queue.")
    target, count = q.redrive_target_arn, q.max_receive_count
    redrive_ok = (not isinstance(target, Unknown) and not isinstance(count, Unknown) and bool(target)
                  and count is not None and count <= s.max_receive_count)
    if isinstance(q.is_dead_letter_queue, Unknown) and not redrive_ok:  # a DLQ needs no redrive of its own
        return unknown("Whether the queue is itself a dead-letter queue", q.is_dead_letter_queue)
    found = first_unknown(redrive_policy=target, max_receive_count=count)
    if found:
        return found
    if not q.redrive_target_arn:
        return (F, "The queue has no redrive policy: messages that keep failing are retried until they expire.")
    if q.max_receive_count is None or q.max_receive_count > s.max_receive_count:
        return (F, f"The redrive policy moves messages after {q.max_receive_count} receives, more than {s.max_receive_count}.")
    return (P, f"Messages move to {q.redrive_target_arn} after {q.max_receive_count} receives.")


@rule("PRR-SNS-001")
def topic_cmk(t: Topic, settings: Settings) -> Verdict:
    return cmk("topic", t.kms_master_key_id, settings.sns.cmk_required)


# ---- issue 13 -----------------------------------------------------------------------------------

def _not_public(what: str, policy: object) -> Verdict:
    if isinstance(policy, Unknown):
        return unknown(f"The {what}'s access policy", policy)
    if not policy:
        return (P, f"The {what} has no access policy: only the account's own principals may use it.")
    public = public_statements(policy)
    if public:
        return (F, f"Statement(s) {', '.join(public)} let any AWS principal use the {what} (Principal \"*\" without a "
                   "condition pinning the account, organization or source).")
    return (P, f"The {what}'s access policy grants only named principals or pins them with a condition.")


@rule("PRR-SQS-003")
def queue_not_public(q: Queue, settings: Settings) -> Verdict:
    return _not_public("queue", q.policy)


@rule("PRR-SNS-002")
def topic_not_public(t: Topic, settings: Settings) -> Verdict:
    return _not_public("topic", t.policy)


@rule("PRR-SNS-003")
def subscription_dlq(s: TopicSubscriptions, settings: Settings) -> Verdict:
    if not settings.sns.subscription_dlq_required:
        return (NA, "Settings do not require dead-letter queues on subscriptions.")
    if isinstance(s.subscriptions, Unknown):
        return unknown("The topic's subscriptions", s.subscriptions)
    missing, unknowns, judged = [], [], 0
    for sub in s.subscriptions or ():
        if isinstance(sub.protocol, Unknown):
            unknowns.append((f"The protocol of {sub.subscription}", sub.protocol))
            continue
        if sub.protocol not in ("lambda", "sqs"):
            continue
        judged += 1
        if isinstance(sub.redrive_target_arn, Unknown):
            unknowns.append((f"The redrive policy of {sub.subscription}", sub.redrive_target_arn))
        elif not sub.redrive_target_arn:
            missing.append(f"{sub.subscription} ({sub.protocol})")
    if missing:
        return (F, f"Subscription(s) {', '.join(missing)} have no redrive policy: a message SNS cannot deliver after its "
                   "retries is dropped.")
    if unknowns:
        return unknown(*unknowns[0])
    if not judged:
        return (NA, "The topic has no lambda or sqs subscription.")
    return (P, f"Every lambda/sqs subscription ({judged}) sends undeliverable messages to a dead-letter queue.")
