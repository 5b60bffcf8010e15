"""Issue 13 builders find partner resources in the root module of the resource they build: one
checkov run scans several roots, the same address in two roots names two resources, and a
partner of one must not be credited to (or hidden from) the other."""

from __future__ import annotations

import json

from prr_policies.facts import Queue
from prr_policies.sources import kinds
from prr_policies.sources.terraform import ResourceGraph, Vertex

PUBLIC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]})


def _queue(root: str) -> dict:
    return {"__address__": "aws_sqs_queue.q", "__start_line__": 1, "__end_line__": 3, "name": ["q"],
            "__file__": f"{root}/main.tf"}


def test_a_queue_policy_counts_only_in_its_own_root(tmp_path):
    graph = ResourceGraph()
    roots = {}
    for name in ("r1", "r2"):
        d = tmp_path / name
        d.mkdir()
        (d / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
        conf = _queue(str(d))
        graph.add(Vertex("aws_sqs_queue.q", "aws_sqs_queue", conf, str(d / "main.tf")))
        roots[name] = conf
    policy = {"__address__": "aws_sqs_queue_policy.p", "queue_url": ["${aws_sqs_queue.q.id}"], "policy": [PUBLIC]}
    graph.add(Vertex("aws_sqs_queue_policy.p", "aws_sqs_queue_policy", policy, str(tmp_path / "r1" / "main.tf")))
    build = kinds.kind(Queue).terraform_builder
    with_policy, without = build(roots["r1"], graph, None), build(roots["r2"], graph, None)
    assert with_policy.policy and with_policy.policy["Statement"][0]["Principal"] == "*"
    assert without.policy is None
