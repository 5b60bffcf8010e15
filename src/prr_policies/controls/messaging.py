"""Rules for SQS queues and SNS topics."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, cmk, first_unknown, rule, unknown
from prr_policies.facts import Queue, Topic, Unknown
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
