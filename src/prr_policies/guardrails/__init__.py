"""Guardrails generated from ``prr.yaml``: SCPs, RCPs, permissions boundaries and roles.

``generate(settings)`` returns the guardrail documents as ``{relative path: text}``; the one
place that writes them (with the conformance pack) is :mod:`prr_policies.generate`. The proofs
that these documents deny the escalation paths and allow the deploy path run through
:mod:`prr_policies.iam` (:mod:`prr_policies.guardrails.proofs`).
"""

from __future__ import annotations

from prr_policies.errors import GuardrailError
from prr_policies.settings import Settings

__all__ = ["GuardrailError", "generate"]


def generate(settings: Settings) -> dict[str, str]:
    from prr_policies.guardrails import boundaries, rcp, scp

    out = scp.generate(settings)
    out.update(rcp.generate(settings))
    out.update(boundaries.generate(settings))
    return dict(sorted(out.items()))
