"""Guardrails generated from ``prr.yaml``: SCPs, permissions boundaries and roles.

``generate(settings)`` returns every artifact as ``{relative path: text}``; ``write(out,
artifacts, check=...)`` writes them under ``out`` or, with ``check``, reports the files that
differ from what is committed (and files in the generated directories that would not be
generated). The proofs that these documents deny the escalation paths and allow the deploy
path live in the tests, and run through :mod:`prr_policies.iam`.
"""

from __future__ import annotations

from pathlib import Path

from prr_policies.guardrails.common import GuardrailError
from prr_policies.settings import Settings

GENERATED_DIRS = ("scp", "boundaries", "roles", "config_rules")

__all__ = ["GENERATED_DIRS", "GuardrailError", "generate", "write"]


def generate(settings: Settings) -> dict[str, str]:
    from prr_policies.config_rules import pack
    from prr_policies.guardrails import boundaries, scp

    out = scp.generate(settings)
    out.update(boundaries.generate(settings))
    out.update(pack.generate(settings))
    return dict(sorted(out.items()))


def write(out: str | Path, artifacts: dict[str, str], *, check: bool = False) -> list[str]:
    """Write the artifacts (or, with ``check``, compare them); returns the paths that differ."""
    root = Path(out)
    differ = []
    for rel, text in artifacts.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            differ.append(rel)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    dirs = {rel.rsplit("/", 1)[0] for rel in artifacts}
    for d in sorted(dirs):
        for path in sorted([*(root / d).glob("*.json"), *(root / d).glob("*.yaml")]):
            rel = path.relative_to(root).as_posix()
            if rel not in artifacts:
                differ.append(rel)
                if not check:
                    path.unlink()
    return differ
