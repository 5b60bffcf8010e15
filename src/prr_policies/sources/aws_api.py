"""boto3 calls through one wrapper: a refused or failing call becomes ``Unknown`` naming the
IAM permission it needed, a missing resource becomes None, and every call is checked against
the declared list ``CALLS`` (from which ``AUDIT_PERMISSIONS`` is derived).

No boto3 import here: :class:`Api` takes a ``client(service)`` factory.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from prr_policies.facts import Unknown

# IAM actions whose names are not service:OperationName.
_ACTION_OVERRIDES = {
    ("apigateway", "get_rest_apis"): "apigateway:GET",
    ("apigateway", "get_stages"): "apigateway:GET",
    ("apigatewayv2", "get_apis"): "apigateway:GET",
    ("apigatewayv2", "get_stages"): "apigateway:GET",
    # issue 13
    ("s3", "list_buckets"): "s3:ListAllMyBuckets",
    ("s3", "get_bucket_notification_configuration"): "s3:GetBucketNotification",
    ("wafv2", "list_web_acls"): "wafv2:ListWebACLs",
    ("wafv2", "get_web_acl"): "wafv2:GetWebACL",
    ("wafv2", "list_resources_for_web_acl"): "wafv2:ListResourcesForWebACL",
    # the Service Authorization Reference: Budgets' Describe* reads are authorized as ViewBudget
    ("budgets", "describe_budgets"): "budgets:ViewBudget",
    ("budgets", "describe_notifications_for_budget"): "budgets:ViewBudget",
}
_IAM_PREFIX = {"apigatewayv2": "apigateway"}
NOT_FOUND = {"ResourceNotFoundException", "NoSuchEntity", "NotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
             "NoSuchEntityException", "DeploymentConfigDoesNotExistException", "NoSuchBucket"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action a boto3 call needs: ``("lambda", "list_aliases")`` -> ``lambda:ListAliases``."""
    if (service, operation) in _ACTION_OVERRIDES:
        return _ACTION_OVERRIDES[(service, operation)]
    if service in ("apigateway", "apigatewayv2") and operation.startswith("get_"):
        return "apigateway:GET"  # API Gateway's control plane authorizes reads as GET on the resource path
    return f"{_IAM_PREFIX.get(service, service)}:" + "".join(w.capitalize() for w in operation.split("_"))


def __getattr__(name: str) -> Any:
    """``CALLS`` (every call the live collector makes, from the kind registry) and
    ``AUDIT_PERMISSIONS`` (the IAM actions they need), derived on first use; a test checks them
    against the calls an audit really makes."""
    if name == "CALLS":
        from prr_policies.sources.kinds import calls

        return calls()
    if name == "AUDIT_PERMISSIONS":
        from prr_policies.sources.kinds import calls

        return tuple(sorted({iam_action(s, o) for s, o in calls()}))
    raise AttributeError(name)


def _error_code(exc: Exception) -> str:
    resp = getattr(exc, "response", None)
    if isinstance(resp, dict):
        return str((resp.get("Error") or {}).get("Code") or type(exc).__name__)
    return type(exc).__name__


@dataclass(frozen=True)
class Limits:
    """How long live reads wait: botocore's connect and read timeouts and attempts per call
    (standard retry mode), and the time limit of a whole audit (None: no limit)."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_attempts: int = 3
    time_limit: float | None = 1800.0


class TimeLimitReached(Exception):
    """Raised (by a botocore hook) instead of sending a request once the time limit has passed."""


# botocore's exceptions for a request that got no answer, by class name (no botocore import here)
_TIMEOUTS = {"ConnectTimeoutError", "ReadTimeoutError"}
_NO_CONNECTION = {"EndpointConnectionError", "ConnectionClosedError", "ProxyConnectionError", "ConnectionError", "HTTPClientError"}


class Api:
    """boto3 calls with the refusals turned into Unknown; records what it called.

    With botocore clients it also keeps a time limit (``deadline``, a ``time.monotonic()``
    value: no request is sent after it, the call is Unknown "not read"), counts the answers
    AWS gave (``answered``: None while no botocore client was made) and tells ``observer``
    about each kind of call the first time it is made (the audit's progress lines)."""

    def __init__(self, client: Callable[[str], Any], *, deadline: float | None = None,
                 observer: Callable[[str], None] | None = None):
        self._factory = client
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.calls: set[tuple[str, str]] = set()
        self.refused: dict[str, str] = {}  # IAM action -> error code, for calls the caller may not make
        self.failed: dict[str, str] = {}  # IAM action -> error, for calls that failed otherwise
        self.deadline = deadline
        self.time_limit: float | None = None  # the seconds behind ``deadline``, for the messages
        self.observer = observer
        self.answered: int | None = None
        self._seen_operations: set[str] = set()

    def client(self, service: str) -> Any:
        with self._lock:  # one client per service, made under the lock (boto3 sessions are not thread-safe)
            if service not in self._clients:
                self._clients[service] = self._watch(self._factory(service))
            return self._clients[service]

    # -- botocore hooks: time limit, answers, progress -----------------------------------------

    def _watch(self, client: Any) -> Any:
        events = getattr(getattr(client, "meta", None), "events", None)
        if events is None or not hasattr(events, "register"):
            return client  # not a botocore client (a test double): nothing to hook
        self.answered = self.answered or 0  # (called under the lock)
        events.register("before-send", self._before_send)  # each attempt, retries included
        events.register("after-call", self._after_call)
        return client

    def _tell(self, text: str) -> None:
        if self.observer is not None:
            self.observer(text)

    def _before_send(self, event_name: str = "", **_: Any) -> None:
        # event_name: before-send.<service id>.<Operation>
        if self.deadline is not None and time.monotonic() >= self.deadline:
            limit = f" of {self.time_limit:g} s" if self.time_limit is not None else ""
            with self._lock:
                first = "<time limit>" not in self._seen_operations
                self._seen_operations.add("<time limit>")
            if first:
                self._tell(f"the time limit{limit} ran out: the calls not made yet are UNKNOWN")
            raise TimeLimitReached(f"the time limit{limit} ran out before the call was made")
        name = " ".join(event_name.split(".")[1:3])
        with self._lock:
            first = name not in self._seen_operations
            self._seen_operations.add(name)
        if first:
            self._tell(f"reading {name}")

    def _after_call(self, http_response: Any = None, **_: Any) -> None:
        if 200 <= getattr(http_response, "status_code", 0) < 300:
            with self._lock:
                self.answered = (self.answered or 0) + 1

    def _fail(self, service: str, operation: str, exc: Exception) -> Unknown | None:
        code = _error_code(exc)
        if code in NOT_FOUND:
            return None
        action = iam_action(service, operation)
        names = {c.__name__ for c in type(exc).__mro__}
        if isinstance(exc, TimeLimitReached) or names & (_TIMEOUTS | _NO_CONNECTION):
            code = "TimeLimit" if isinstance(exc, TimeLimitReached) else type(exc).__name__
            with self._lock:
                # A call that timed out keeps that cause when a later read of it is cut by the time limit.
                if code != "TimeLimit" or action not in self.failed:
                    self.failed[action] = code
            if isinstance(exc, TimeLimitReached):
                return Unknown(f"{action} was not read: {exc}")
            what = "timed out" if names & _TIMEOUTS else "got no answer"
            return Unknown(f"{action} {what} ({str(exc)[:160]})")
        status = ((getattr(exc, "response", None) or {}).get("ResponseMetadata") or {}).get("HTTPStatusCode")
        denied = "AccessDenied" in code or code in ("UnauthorizedOperation", "AuthorizationError", "UnrecognizedClientException") \
            or (status == 403 and code not in NOT_FOUND)
        with self._lock:
            (self.refused if denied else self.failed)[action] = code
        if denied:
            return Unknown(f"{action} was refused ({code}): grant it to the auditing role")
        if code in ("NotImplementedError",) or isinstance(exc, NotImplementedError):
            return Unknown(f"{action} is not available here ({exc})")
        return Unknown(f"{action} failed ({code}: {str(exc)[:120]})")

    def call(self, service: str, operation: str, **kwargs: Any) -> Any:
        """The response dict, None when the resource does not exist, or Unknown."""
        _declared(service, operation)
        with self._lock:
            self.calls.add((service, operation))
        try:
            return getattr(self.client(service), operation)(**kwargs)
        except Exception as exc:  # noqa: BLE001 - ClientError, ParamValidationError, moto's NotImplementedError
            return self._fail(service, operation, exc)

    def pages(self, service: str, operation: str, key: str, **kwargs: Any) -> list | Unknown:
        _declared(service, operation)
        with self._lock:
            self.calls.add((service, operation))
        try:
            client = self.client(service)
            if client.can_paginate(operation):
                return [x for page in client.get_paginator(operation).paginate(**kwargs) for x in page.get(key, [])]
            return list(getattr(client, operation)(**kwargs).get(key, []))
        except Exception as exc:  # noqa: BLE001
            got = self._fail(service, operation, exc)
            return [] if got is None else got


@lru_cache(maxsize=1)
def _declared_calls() -> frozenset[tuple[str, str]]:
    from prr_policies.sources.kinds import calls

    return frozenset(calls())


def _declared(service: str, operation: str) -> None:
    if (service, operation) not in _declared_calls():
        raise AssertionError(f"{service}.{operation} is not declared in the kind registry's calls")


def dig(d: Any, *path: str) -> Any:
    """``d[path[0]][path[1]]...``, or None where a step is missing or not a dict."""
    for k in path:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d
