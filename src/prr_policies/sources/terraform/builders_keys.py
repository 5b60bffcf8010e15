"""Terraform -> KMS keys' deletion window, and the documents of IAM policies (customer managed
and inline) for the "decrypt on every key" check. The other fields of KmsKey come from
:mod:`prr_policies.sources.terraform.builders` unchanged."""

from __future__ import annotations

import dataclasses
from typing import Any

from prr_policies.facts import IamPolicy, KmsKey
from prr_policies.sources import terraform as tf
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder
from prr_policies.sources.terraform.graph import ResourceGraph

# AWS KMS's waiting period when the configuration sets none.
DEFAULT_DELETION_WINDOW_DAYS = 30


@terraform_builder("aws_kms_key", KmsKey)
def kms_key(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> KmsKey:
    c = Conf.of("aws_kms_key", conf)
    window = pr.known(pr.attr(c, "deletion_window_in_days", "integer"))
    return dataclasses.replace(tf.kms_key.__wrapped__(conf, graph, settings),
                               deletion_window_days=DEFAULT_DELETION_WINDOW_DAYS if window is None else window)


# Where a managed policy is used as a permissions boundary, and where it is attached (granting).
_BOUNDARY_USES = {"aws_iam_role": ("permissions_boundary",), "aws_iam_user": ("permissions_boundary",)}
_ATTACHMENTS = {"aws_iam_role_policy_attachment": ("policy_arn",), "aws_iam_user_policy_attachment": ("policy_arn",),
                "aws_iam_group_policy_attachment": ("policy_arn",), "aws_iam_policy_attachment": ("policy_arn",),
                "aws_iam_role": ("managed_policy_arns",)}


def _used_by(graph: ResourceGraph, me: Any, name: str | None, table: dict[str, tuple[str, ...]]) -> bool:
    """Whether a resource of ``table`` names the policy, by reference or by a literal ARN."""
    for rtype, keys in table.items():
        for v in pr.of_type(graph, rtype):
            c = pr.conf_of(v)
            for key in keys:
                if any((t := pr.resolve(graph, a)) is not None and t.address == me.address for a, _ in pr.refs_of(c, key)):
                    return True
                values = c.raw.get(key)
                values = values if isinstance(values, list) else [values]
                flat = [x for v in values for x in (v if isinstance(v, list) else [v])]
                if name and any(isinstance(x, str) and pr.literal(x) and x.endswith((f":policy/{name}", f"/{name}")) for x in flat):
                    return True
    return False


@terraform_builder(("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"), IamPolicy)
def iam_policy(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> IamPolicy:
    address = conf.get("__address__") if isinstance(conf.get("__address__"), str) else ""
    rtype = address[len(pr.module_of(address)):].split(".")[0] or "aws_iam_policy"
    c = Conf.of(rtype, conf)
    boundary = False
    if rtype == "aws_iam_policy" and graph is not None:
        me = pr.own_vertex(graph, c)
        name = pr.literal(c.string("name"))
        boundary = _used_by(graph, me, name, _BOUNDARY_USES) and not _used_by(graph, me, name, _ATTACHMENTS)
    return IamPolicy(c.address, pr.document(c, "policy", graph), inline=rtype != "aws_iam_policy", boundary_only=boundary)
