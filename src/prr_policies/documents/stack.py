"""The stack the documents describe, read from its Terraform plan JSON (``terraform show -json``):
resources with their planned values and the references between them. No Terraform or HCL parser
is needed: the plan's ``configuration`` section holds every reference an expression makes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prr_policies.errors import InputError


@dataclass(frozen=True, eq=False)
class Resource:
    address: str
    type: str
    values: dict[str, Any]
    # attribute -> addresses of the resources its expression refers to
    refs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        v = self.values
        for key in ("function_name", "name", "deployment_group_name", "description"):
            if isinstance(v.get(key), str) and v[key]:
                return v[key]
        return self.address

    def ref(self, attr: str) -> tuple[str, ...]:
        return self.refs.get(attr, ())

    def all_refs(self) -> set[str]:
        return {a for addrs in self.refs.values() for a in addrs}


def _walk_refs(expr: Any, prefix: str, out: dict[str, list[str]]) -> None:
    """Collect ``references`` from a configuration expression tree, keyed by the top attribute."""
    if isinstance(expr, dict):
        if "references" in expr and isinstance(expr["references"], list):
            out.setdefault(prefix, []).extend(r for r in expr["references"] if isinstance(r, str))
        for k, v in expr.items():
            if k != "references":
                _walk_refs(v, prefix or k, out)
    elif isinstance(expr, list):
        for v in expr:
            _walk_refs(v, prefix, out)


def _resource_address(ref: str, known: set[str]) -> str | None:
    """``aws_sqs_queue.orders.arn`` -> ``aws_sqs_queue.orders`` when that resource exists."""
    parts = ref.split(".")
    for n in range(len(parts), 1, -1):
        cand = ".".join(parts[:n])
        if cand in known:
            return cand
    return None


@dataclass
class Stack:
    path: Path
    resources: dict[str, Resource]

    @classmethod
    def read(cls, path: Path) -> "Stack":
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(str(path), "", f"cannot read the stack's plan: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise InputError(str(path), "", f"malformed plan JSON: {exc}") from None
        if not isinstance(doc, dict) or "planned_values" not in doc:
            raise InputError(str(path), "planned_values", "not a `terraform show -json` plan")
        values: dict[str, tuple[str, dict]] = {}

        def collect(module: dict) -> None:
            for r in module.get("resources", []):
                if r.get("mode", "managed") == "managed":
                    values[r["address"]] = (r["type"], r.get("values") or {})
            for child in module.get("child_modules", []):
                collect(child)

        collect(doc["planned_values"].get("root_module", {}))
        known = set(values)
        refs: dict[str, dict[str, tuple[str, ...]]] = {}
        for r in (doc.get("configuration") or {}).get("root_module", {}).get("resources", []):
            raw: dict[str, list[str]] = {}
            for attr, expr in (r.get("expressions") or {}).items():
                _walk_refs(expr, attr, raw)
            refs[r["address"]] = {a: tuple(dict.fromkeys(x for x in (_resource_address(s, known) for s in lst) if x))
                                  for a, lst in raw.items()}
        resources = {a: Resource(a, t, v, refs.get(a, {})) for a, (t, v) in values.items()}
        if not resources:
            raise InputError(str(path), "planned_values", "the plan holds no resources")
        return cls(Path(path), resources)

    def of(self, *types: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.type in types]

    def get(self, address: str) -> Resource | None:
        return self.resources.get(address)

    def referrers(self, address: str, rtype: str, attr: str | None = None) -> list[Resource]:
        """Resources of ``rtype`` whose ``attr`` (any attribute when None) refers to ``address``."""
        return [r for r in self.of(rtype) if address in (r.ref(attr) if attr else r.all_refs())]

    # -- the serverless shapes the documents draw ------------------------------------------------

    def functions(self) -> list[Resource]:
        return self.of("aws_lambda_function")

    def queues(self) -> list[Resource]:
        return self.of("aws_sqs_queue")

    def dead_letter_queues(self, suffixes: tuple[str, ...] = ()) -> list[Resource]:
        """Queues that receive failures: a redrive target, an on-failure destination, or named like a DLQ."""
        dlqs = []
        targets = {json.loads(q.values["redrive_policy"]).get("deadLetterTargetArn", "")
                   for q in self.queues() if isinstance(q.values.get("redrive_policy"), str) and q.values["redrive_policy"]}
        destinations = {a for r in self.of("aws_lambda_function_event_invoke_config", "aws_lambda_event_source_mapping")
                        for a in r.ref("destination_config")}
        for q in self.queues():
            name = q.values.get("name") or ""
            if (name and any(t.endswith(":" + name) for t in targets)) or q.address in destinations \
                    or (name and name.endswith(tuple(suffixes))):
                dlqs.append(q)
        return dlqs

    def apis(self) -> list[Resource]:
        return self.of("aws_api_gateway_rest_api", "aws_apigatewayv2_api")

    def api_targets(self, api: Resource) -> list[Resource]:
        """Functions an API integrates with."""
        out = []
        for integ in self.of("aws_api_gateway_integration", "aws_apigatewayv2_integration"):
            if api.address in integ.ref("rest_api_id") + integ.ref("api_id"):
                out += [self.resources[a] for a in integ.ref("uri") + integ.ref("integration_uri")
                        if self.resources[a].type == "aws_lambda_function"]
        return list(dict.fromkeys(out))

    def mappings(self) -> list[tuple[Resource, Resource, Resource]]:
        """(mapping, event source, function) for every event source mapping whose ends are in the stack."""
        out = []
        for m in self.of("aws_lambda_event_source_mapping"):
            src = [self.resources[a] for a in m.ref("event_source_arn")]
            fn = [self.resources[a] for a in m.ref("function_name") if self.resources[a].type == "aws_lambda_function"]
            if src and fn:
                out.append((m, src[0], fn[0]))
        return out

    def failure_destinations(self, function: Resource) -> list[Resource]:
        out = []
        for cfg in self.referrers(function.address, "aws_lambda_function_event_invoke_config", "function_name"):
            out += [self.resources[a] for a in cfg.ref("destination_config")]
        dlq = function.ref("dead_letter_config")
        out += [self.resources[a] for a in dlq]
        return list(dict.fromkeys(out))

    def keys_of(self, resource: Resource) -> list[Resource]:
        """KMS keys a resource is encrypted with."""
        addrs = [a for attr in ("kms_key_arn", "kms_master_key_id", "kms_key_id") for a in resource.ref(attr)]
        return [self.resources[a] for a in dict.fromkeys(addrs) if self.resources[a].type == "aws_kms_key"]
