"""Rules for what a stack costs: budgets and the processor architecture."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, rule, unknown
from prr_policies.facts import LambdaFunction, Unknown
from prr_policies.settings import Settings


@rule("PRR-LAMBDA-023")
def arm64_preferred(fn: LambdaFunction, settings: Settings) -> Verdict:
    if not settings.cost.prefer_arm64:
        return (NA, "Settings do not prefer arm64.")
    if isinstance(fn.architectures, Unknown):
        return unknown("The architecture", fn.architectures)
    if "arm64" in (fn.architectures or ()):
        return (P, "The function runs on arm64 (Graviton).")
    return (F, f"The function runs on {', '.join(fn.architectures or ('x86_64',))}; arm64 costs less per GB-second "
               "for the same work.")
