"""Rules for event source mappings (SQS, streams, Kafka, MQ, DocumentDB)."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, U, Verdict, control_of, first_unknown, known_problems_first, rule, unknown
from prr_policies.controls.messaging import queue_dlq
from prr_policies.facts import EventSourceMapping, FunctionIdempotency, Unknown
from prr_policies.settings import Settings


@rule("PRR-ESM-001")
def esm_batch_failures(m: EventSourceMapping, settings: Settings) -> Verdict:
    s = settings.event_sources
    if isinstance(m.source_kind, Unknown):
        return unknown("The event source", m.source_kind)
    if m.source_kind not in ("sqs", "kinesis", "dynamodb"):
        return (NA, f"Partial batch responses do not apply to {m.source_kind or 'this'} sources.")
    if not s.sqs_report_batch_item_failures:
        return (NA, "Settings do not require partial batch responses.")
    if isinstance(m.function_response_types, Unknown):
        return unknown("The mapping's function response types", m.function_response_types)
    if "ReportBatchItemFailures" in (m.function_response_types or ()):
        return (P, "The function reports batch item failures, so one bad record does not fail the batch.")
    return (F, "The mapping does not enable ReportBatchItemFailures: one failing record retries the whole batch.")


@rule("PRR-ESM-002")
def esm_bounded_retries(m: EventSourceMapping, settings: Settings) -> Verdict:
    s = settings.event_sources
    if isinstance(m.source_kind, Unknown):
        return unknown("The event source", m.source_kind)
    if m.source_kind not in ("kinesis", "dynamodb", "kafka", "docdb"):
        return (NA, f"Retries of queue sources are bounded by the queue's redrive policy ({control_of(queue_dlq)}).")
    problems = []  # from the fields that are known: a known violation is a FAIL whatever the others are
    retries, age = m.maximum_retry_attempts, m.maximum_record_age_seconds
    if not isinstance(retries, Unknown) and (retries is None or retries < 0 or retries > s.max_retry_attempts):
        problems.append(f"retries {'forever' if retries in (None, -1) else retries} (at most {s.max_retry_attempts})")
    if not isinstance(age, Unknown) and (age is None or age < 0 or age > s.max_record_age_seconds):
        problems.append(f"keeps records {'forever' if age in (None, -1) else f'{age} s'} (at most {s.max_record_age_seconds} s)")
    if s.on_failure_destination_required and not isinstance(m.on_failure_destination, Unknown) and not m.on_failure_destination:
        problems.append("has no on-failure destination")
    found = first_unknown(maximum_retry_attempts=retries, maximum_record_age=age, on_failure_destination=m.on_failure_destination)
    return known_problems_first("The mapping", problems, found, lambda: f"At most {retries} retries and {age} s, then {m.on_failure_destination}.")


@rule("PRR-ESM-003")
def esm_visibility_timeout(m: EventSourceMapping, settings: Settings) -> Verdict:
    k = settings.event_sources.visibility_timeout_multiplier
    if isinstance(m.source_kind, Unknown):
        return unknown("The event source", m.source_kind)
    if m.source_kind != "sqs":
        return (NA, "Only SQS sources have a visibility timeout.")
    found = first_unknown(queue_visibility_timeout=m.queue_visibility_timeout, function_timeout=m.function_timeout)
    if found:
        return found
    if m.queue_visibility_timeout is None or m.function_timeout is None:
        return (U, "The queue's visibility timeout or the function's timeout is not known.")
    if m.queue_visibility_timeout < k * m.function_timeout:
        return (F, f"The queue's visibility timeout is {m.queue_visibility_timeout} s, less than {k} x the "
                      f"function timeout of {m.function_timeout} s: messages reappear while still being processed.")
    return (P, f"Visibility timeout {m.queue_visibility_timeout} s >= {k} x {m.function_timeout} s.")


@rule("PRR-LAMBDA-022")
def function_idempotency(f: FunctionIdempotency, settings: Settings) -> Verdict:
    """A function that gets events at least once (an event source mapping, an asynchronous invoker)
    says how it handles a repeat: the idempotency tag naming the mechanism, or a Powertools
    idempotency table in its environment. The code itself is not read."""
    s = settings.idempotency
    if not s.required:
        return (NA, "Settings do not require functions to declare idempotency.")
    if isinstance(f.delivered_by, Unknown):
        return unknown("What delivers events to the function", f.delivered_by)
    if not f.delivered_by:
        return (NA, "Nothing delivers events to the function at least once (no event source mapping or asynchronous invoker).")
    sources = ", ".join(f.delivered_by)
    tag = f.tags if isinstance(f.tags, Unknown) else dict(f.tags or ()).get(s.tag_key)
    if isinstance(tag, str) and tag.strip():
        return (P, f"Delivered by {sources}; the {s.tag_key} tag names its idempotency: {tag}.")
    names = f.environment_names
    if not isinstance(names, Unknown) and set(names or ()) & set(s.table_environment_variables):
        table = next(n for n in s.table_environment_variables if n in (names or ()))
        return (P, f"Delivered by {sources}; {table} names its idempotency table.")
    found = first_unknown(tag=tag, environment=names)
    if found:
        return found
    return (F, f"Delivered by {sources}, which may deliver an event twice, but the function declares no idempotency "
               f"(no {s.tag_key} tag, none of {', '.join(s.table_environment_variables)} in its environment).")
