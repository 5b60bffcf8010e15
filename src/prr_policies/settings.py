"""``prr.yaml``: one typed settings model read by every layer, with defaults in the package."""

from __future__ import annotations

import dataclasses
import datetime
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from prr_policies._model import parse_dataclass
from prr_policies.errors import InputError

_PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULTS_FILE = _PACKAGE_DIR / "defaults.yaml"
RUNTIMES_FILE = _PACKAGE_DIR / "runtimes.yaml"
ENV_VAR = "PRR_SETTINGS"


def _check_range(source: str, path: str, low: int, high: int, low_name: str, high_name: str) -> None:
    if low > high:
        raise InputError(source, f"{path}.{low_name}" if path else low_name, f"{low} is greater than {high_name} {high}")


@dataclass(frozen=True)
class ConcurrencyBounds:
    min: int
    max: int

    def validate(self, source: str, path: str) -> None:
        if self.min < 1:
            raise InputError(source, f"{path}.min", "must be at least 1 (0 throttles every invocation)")
        _check_range(source, path, self.min, self.max, "min", "max")


@dataclass(frozen=True)
class TimeoutBounds:
    min_seconds: int
    max_seconds: int

    def validate(self, source: str, path: str) -> None:
        if not 1 <= self.min_seconds <= 900 or not 1 <= self.max_seconds <= 900:
            raise InputError(source, path, "Lambda timeouts are between 1 and 900 seconds")
        _check_range(source, path, self.min_seconds, self.max_seconds, "min_seconds", "max_seconds")


@dataclass(frozen=True)
class MemoryBounds:
    min_mb: int
    max_mb: int

    def validate(self, source: str, path: str) -> None:
        if not 128 <= self.min_mb <= 10240 or not 128 <= self.max_mb <= 10240:
            raise InputError(source, path, "Lambda memory is between 128 and 10240 MB")
        _check_range(source, path, self.min_mb, self.max_mb, "min_mb", "max_mb")


@dataclass(frozen=True)
class CodeSigning:
    required: bool
    exempt_package_types: tuple[Literal["Zip", "Image"], ...]


@dataclass(frozen=True)
class RuntimePolicy:
    warn_days_before_deprecation: int
    as_of: datetime.date | None
    deprecation_dates: dict[str, datetime.date]

    def validate(self, source: str, path: str) -> None:
        if self.warn_days_before_deprecation < 0:
            raise InputError(source, f"{path}.warn_days_before_deprecation", "must not be negative")


@dataclass(frozen=True)
class ExecutionRole:
    require_permissions_boundary: bool
    one_role_per_function: bool


@dataclass(frozen=True)
class LambdaSettings:
    tracing_mode: Literal["Active"]
    reserved_concurrency: ConcurrencyBounds
    timeout: TimeoutBounds
    memory: MemoryBounds
    require_vpc: bool
    code_signing: CodeSigning
    runtime: RuntimePolicy
    async_failure_destination_required: bool
    environment_cmk_required: bool
    permission_scoping_exempt_principals: tuple[str, ...]
    execution_role: ExecutionRole


@dataclass(frozen=True)
class Settings:
    version: Literal[1]
    lambda_: LambdaSettings = field(metadata={"key": "lambda"})
    source: str = field(default="<defaults>", compare=False, metadata={"internal": True})

    def runtime_deprecation(self, runtime: str) -> datetime.date | None:
        """Deprecation date of a runtime: prr.yaml overrides, then the packaged table."""
        own = self.lambda_.runtime.deprecation_dates.get(runtime)
        return own if own is not None else _runtime_table().get(runtime)

    def evaluation_date(self) -> datetime.date:
        return self.lambda_.runtime.as_of or datetime.date.today()


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), "", f"cannot read settings file: {exc.strerror or exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(str(path), where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None


@lru_cache(maxsize=1)
def _runtime_table() -> dict[str, datetime.date]:
    data = _read_yaml(RUNTIMES_FILE)
    return {str(k): v for k, v in data["deprecation_dates"].items()}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key != "deprecation_dates":
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
    return out


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Defaults merged with ``path`` (a prr.yaml); errors name the file and the key path."""
    data = _read_yaml(DEFAULTS_FILE)
    source = "<defaults>"
    if path is not None:
        source = str(path)
        own = _read_yaml(Path(path))
        if own is None:
            own = {}
        if not isinstance(own, dict):
            raise InputError(source, "", f"expected a mapping at the top level, got {type(own).__name__}")
        data = _merge(data, own)
    return dataclasses.replace(parse_dataclass(Settings, data, source), source=source)


def settings_path_from_env(cwd: str | os.PathLike[str] | None = None) -> Path | None:
    """``$PRR_SETTINGS`` if set (it must exist), else ``./prr.yaml`` if present, else None."""
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env)
        if not p.is_file():
            raise InputError(env, "", f"{ENV_VAR} names a file that does not exist")
        return p
    local = Path(cwd or os.getcwd()) / "prr.yaml"
    return local if local.is_file() else None


def settings_from_env() -> Settings:
    return load_settings(settings_path_from_env())

