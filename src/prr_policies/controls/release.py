"""Rules for the release path: aliases, provisioned concurrency and CodeDeploy deployment groups."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, first_unknown, known_problems_first, rule, unknown
from prr_policies.facts import DeploymentGroup, FunctionRelease, ProvisionedConcurrency, Unknown
from prr_policies.settings import Settings


@rule("PRR-CODEDEPLOY-001")
def deployment_group(g: DeploymentGroup, settings: Settings) -> Verdict:
    s = settings.release
    if isinstance(g.compute_platform, Unknown):
        return unknown("The compute platform", g.compute_platform)
    if g.compute_platform not in (None, "Lambda"):
        return (NA, f"The deployment group deploys to {g.compute_platform}, not Lambda.")
    problems = []  # from the fields that are known: a known violation is a FAIL whatever the others are
    if not isinstance(g.deployment_config_type, Unknown) and g.deployment_config_type not in s.allowed_deployment_types:
        problems.append(f"deploys {g.deployment_config_name} ({g.deployment_config_type}), not {' or '.join(s.allowed_deployment_types)}")
    if (not isinstance(g.alarms_enabled, Unknown) and g.alarms_enabled is not True) or \
            (not isinstance(g.alarm_names, Unknown) and not g.alarm_names):
        problems.append("watches no alarms")
    if not isinstance(g.auto_rollback_enabled, Unknown) and g.auto_rollback_enabled is not True:
        problems.append("does not roll back automatically on " + ", ".join(s.required_rollback_events))
    elif not isinstance(g.auto_rollback_events, Unknown):
        missing = [e for e in s.required_rollback_events if e not in (g.auto_rollback_events or ())]
        if missing:
            problems.append("does not roll back automatically on " + ", ".join(missing))
    found = first_unknown(deployment_type=g.deployment_config_type, alarms=g.alarms_enabled,
                           alarm_list=g.alarm_names, automatic_rollback=g.auto_rollback_enabled, rollback_events=g.auto_rollback_events)
    return known_problems_first("The deployment group", problems, found,
                                lambda: f"{g.deployment_config_name} with {len(g.alarm_names or ())} alarm(s) and automatic rollback.")


@rule("PRR-LAMBDA-014")
def release_path(r: FunctionRelease, settings: Settings) -> Verdict:
    s = settings.release
    if isinstance(r.serving_traffic, Unknown):
        return unknown("Whether the function serves traffic", r.serving_traffic)
    if r.serving_traffic is False:
        return (NA, "The function has no event source, resource-policy grant or URL.")
    if s.alias_required and not isinstance(r.aliases, Unknown) and not r.aliases:
        return (F, "The function serves traffic without an alias, so a release cannot be shifted or rolled back.")
    found = first_unknown(aliases=r.aliases, provisioned_concurrency=r.provisioned_concurrency_qualifiers)
    if found:
        return found
    on_versions = [q for q in (r.provisioned_concurrency_qualifiers or ()) if q not in (r.aliases or ()) and q != "$LATEST"]
    if on_versions and not s.provisioned_concurrency_on_versions:
        return (F, f"Provisioned concurrency is on version(s) {', '.join(on_versions)}, not on an alias: a release leaves it behind.")
    return (P, f"Traffic goes through the alias(es) {', '.join(r.aliases or ())}.")


@rule("PRR-LAMBDA-021")
def provisioned_concurrency(pc: ProvisionedConcurrency, settings: Settings) -> Verdict:
    """Provisioned concurrency sits on an alias (a version only where settings allow it), never on
    $LATEST, and the function's reserved concurrency, when it has one, holds the provisioned
    concurrency of all its configs together (Lambda allocates no more than is reserved)."""
    if pc.qualifier_kind is None:
        return (NA, "The function has no provisioned concurrency.")
    if pc.qualifier_kind == "latest":
        return (F, "Provisioned concurrency is on $LATEST, the unpublished version: Lambda refuses it (Terraform plans it "
                   "anyway and the apply fails), and $LATEST changes with every code update; put it on an alias.")
    versions_allowed = bool(settings.release and settings.release.provisioned_concurrency_on_versions)
    problems: list[str] = []
    if pc.qualifier_kind == "version" and not versions_allowed:
        problems.append(f"is on version {pc.qualifier}, not on an alias: callers invoke the alias, so a version no alias "
                        "serves keeps capacity warm (and billed) for nobody, and the next release leaves it behind")
    if isinstance(pc.reserved, int):
        asked = next((v for v in (pc.amount, pc.provisioned_total) if isinstance(v, int) and v > pc.reserved), None)
        if asked is not None:
            problems.append(f"adds up to {asked} for the function, more than its reserved concurrency of {pc.reserved}: "
                            "Lambda allocates no more provisioned concurrency than a function reserves")
    found = first_unknown(qualifier=pc.qualifier_kind, amount=pc.amount, reserved_concurrency=pc.reserved,
                          provisioned_concurrency_of_the_function=pc.provisioned_total)

    def passed() -> str:
        where = f"alias {pc.qualifier}" if pc.qualifier_kind == "alias" else f"version {pc.qualifier} (settings allow versions)"
        if pc.reserved is None:
            return (f"{pc.amount} provisioned on {where}; the function reserves no concurrency, so it draws on the "
                    "account's unreserved pool.")
        return f"{pc.amount} provisioned on {where}; {pc.provisioned_total} over the function's configs fit in its reserved {pc.reserved}."

    return known_problems_first("Provisioned concurrency", problems, found, passed)


@rule("PRR-LAMBDA-016")
def release_deployments(r: FunctionRelease, settings: Settings) -> Verdict:
    """A function that serves traffic is released by a CodeDeploy deployment group that passes
    :func:`deployment_group` (the same rule, on the group found for it)."""
    if isinstance(r.serving_traffic, Unknown):
        return unknown("Whether the function serves traffic", r.serving_traffic)
    if r.serving_traffic is False:
        return (NA, "The function has no event source, resource-policy grant or URL.")
    if isinstance(r.deployment_group, Unknown):
        return unknown("The function's CodeDeploy deployment group", r.deployment_group)
    if r.deployment_group is None:
        return (F, "No CodeDeploy deployment group releases this function (looked for "
                      f"{settings.release.deployment_group_name.format(function=r.address.rsplit(':', 1)[-1])!r}).")
    status, reason = deployment_group(r.deployment_group, settings)
    if status is NA:
        return (F, f"{r.deployment_group.address} does not deploy to Lambda.")
    return (status, f"{r.deployment_group.address}: {reason}")
