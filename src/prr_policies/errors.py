"""The error types the CLI maps to its exit codes: :class:`InputError` (bad input, exit 2; it
names the file and the path inside it) and :class:`EvaluationError` (the tool or its
environment failed, exit 3)."""

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


class EvaluationError(RuntimeError):
    """Nothing could be evaluated because of the tool or its environment, not the input: AWS
    cannot be reached, checkov crashed, an optional dependency is missing. The CLI exits 3."""


class MissingDependency(EvaluationError):
    """An optional dependency (an extra of the package) is not installed."""

    # top-level module -> the extra that installs it
    EXTRAS = {"checkov": "checkov", "hcl2": "checkov", "policy_sentry": "guardrails", "boto3": "aws", "botocore": "aws",
              "rdklib": "aws"}

    def __init__(self, module: str, needed_for: str = "this command"):
        self.module = module
        self.extra = self.EXTRAS.get(module)
        hint = f'pip install "prr-policies[{self.extra}]"' if self.extra else f"pip install {module}"
        super().__init__(f"{needed_for} needs {module}, which is not installed: {hint}")
