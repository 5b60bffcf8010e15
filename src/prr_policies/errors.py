"""The one error type for bad input: it names the file and the path inside it."""

from __future__ import annotations


class InputError(ValueError):
    """Malformed or invalid input (a settings file, a catalog entry, a plan, a configuration item).

    ``source`` is the file (or other origin) and ``path`` the location inside it, written the
    way a reader finds it: ``lambda.timeout.max_seconds`` or ``controls[3].severity``.
    """

    def __init__(self, source: str, path: str, reason: str) -> None:
        self.source = source
        self.path = path
        self.reason = reason
        where = f"{source}: {path}" if path else source
        super().__init__(f"{where}: {reason}")


class GuardrailError(InputError):
    """Settings that cannot produce valid guardrails; ``path`` is the prr.yaml key to change."""

    def __init__(self, path: str, reason: str, source: str = "prr.yaml"):
        super().__init__(source, path, reason)


class EvaluationError(Exception):
    """The evaluation could not be done: a tool crashed, a dependency is missing, an environment
    failure. The CLI maps it to exit code 3 ("could not evaluate"); the message says what failed."""
