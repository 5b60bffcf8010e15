"""Terraform (through checkov) -> facts, for HCL and plan JSON alike.

- :mod:`.conf`: reading one resource's checkov conf (checkov's wrapping, what a plan says about
  an attribute checkov leaves out, KMS keys and references), and :func:`terraform_builder`, the
  wrapper every builder shares (resources Terraform does not create, unexpanded instances);
- :mod:`.hcl` and :mod:`.source`: the Terraform source read and evaluated here, for what checkov
  drops or renders wrongly (``count``, ``each``, ``try()``, conditional dynamic blocks);
- :mod:`.plan`: a plan file read directly (``after_unknown``, ``after_sensitive``, ``configuration``);
- :mod:`.graph`: the resource graph, indexed by address, references resolved by module path;
- :mod:`.builders`: one builder per kind, ``(conf, graph, settings) -> facts``; the kind
  registry (:mod:`prr_policies.sources.kinds`) says which Terraform types each reads.
"""

from prr_policies.sources.terraform.builders import (
    api_stage, code_signing_config, deployment_group, event_source_mapping, function_url, iam_role, kms_key, lambda_function,
    lambda_permission, queue, secret, topic,
)
from prr_policies.sources.terraform.conf import Conf, is_plan_conf, provider_defaults, terraform_builder
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex

__all__ = [
    "Conf", "ResourceGraph", "Vertex", "api_stage", "code_signing_config", "deployment_group", "event_source_mapping",
    "function_url", "iam_role", "is_plan_conf", "kms_key", "lambda_function", "lambda_permission", "provider_defaults", "queue",
    "secret", "terraform_builder", "topic",
]
