"""Terraform -> KMS keys' deletion window, and the documents of IAM policies (customer managed
and inline) for the "decrypt on every key" check. The other fields of KmsKey come from
:mod:`prr_policies.sources.terraform.builders` unchanged."""

from __future__ import annotations

import dataclasses
from typing import Any

from prr_policies.facts import IamPolicy, KmsKey
from prr_policies.sources import terraform as tf
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf
from prr_policies.sources.terraform.graph import ResourceGraph

# AWS KMS's waiting period when the configuration sets none.
DEFAULT_DELETION_WINDOW_DAYS = 30


def kms_key(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> KmsKey:
    c = Conf.of("aws_kms_key", conf)
    window = pr.known(pr.attr(c, "deletion_window_in_days", "integer"))
    return dataclasses.replace(tf.kms_key(conf, graph, settings),
                               deletion_window_days=DEFAULT_DELETION_WINDOW_DAYS if window is None else window)


def iam_policy(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> IamPolicy:
    address = conf.get("__address__") if isinstance(conf.get("__address__"), str) else ""
    rtype = address[len(pr.module_of(address)):].split(".")[0] or "aws_iam_policy"
    c = Conf.of(rtype, conf)
    return IamPolicy(c.address, pr.document(c, "policy", graph), inline=rtype != "aws_iam_policy")
