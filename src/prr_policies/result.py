"""Results of a rule: a closed status enum and one sentence saying why."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    # The value could not be determined (an unresolved variable, a field the source does not
    # record). It fails closed: every sink treats it as a failure unless told otherwise.
    UNKNOWN = "UNKNOWN"
    # A finding that must be acted on before it becomes a FAIL (a runtime inside its deprecation
    # warning window). It does not block: checkov PASSED with a "WARNING:" detail, Config
    # COMPLIANT with a "WARNING:" annotation, audit and scan list it and still exit 0. It is
    # never used for a value that could not be read: that is UNKNOWN, which blocks.
    WARNING = "WARNING"

    @property
    def blocks(self) -> bool:
        """True when this status must stop a pipeline (fail closed)."""
        return self in (Status.FAIL, Status.UNKNOWN)

    @classmethod
    def from_detail(cls, detail: str | None) -> "Status | None":
        """The status a PRR checkov check wrote at the head of its first detail line."""
        head = (detail or "").split(":", 1)[0]
        return cls.__members__.get(head)


@dataclass(frozen=True)
class Result:
    control_id: str
    resource: str
    status: Status
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {
            "control_id": self.control_id,
            "resource": self.resource,
            "status": self.status.value,
            "reason": self.reason,
        }
