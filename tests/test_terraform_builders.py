"""Every Terraform builder in the kind registry shares what issue 11 put in one place: it is wrapped
by ``terraform_builder`` (resources Terraform does not create, count/for_each that cannot be
evaluated, instances checkov did not expand) and reads through ``Conf`` (references, plans,
the source). A new kind's builder that skips the wrapper fails here."""

from __future__ import annotations

from prr_policies.facts import FunctionUrl, LambdaFunction, Unknown
from prr_policies.sources import kinds
from prr_policies.sources.terraform import ResourceGraph, Vertex, terraform_builder


def test_every_registered_terraform_builder_is_wrapped():
    for kind in kinds.KINDS:
        if kind.terraform_builder is None:
            continue
        types = getattr(kind.terraform_builder, "terraform_types", None)
        assert types, f"{kind.name}: wrap its Terraform builder with @terraform_builder(<type>, {kind.name})"
        assert set(types) <= set(kind.terraform), (kind.name, types)


def test_a_resource_with_count_zero_gives_no_facts_and_an_unknown_count_unknown_facts(tmp_path):
    """Issue 11: checkov hands a check resources whose count it did not evaluate; the wrapper
    reads count from the source: 0 -> no facts (the check says NOT_APPLICABLE), not evaluable ->
    every field Unknown naming why."""
    main = tmp_path / "main.tf"
    main.write_text('variable "create" {\n  default = false\n}\nvariable "n" {}\n'
                    'resource "aws_lambda_function_url" "off" {\n  count = var.create ? 1 : 0\n  function_name = "f"\n'
                    '  authorization_type = "NONE"\n}\n'
                    'resource "aws_lambda_function_url" "maybe" {\n  count = var.n\n  function_name = "f"\n'
                    '  authorization_type = "NONE"\n}\n')
    graph = ResourceGraph()
    confs = {}
    for name, (start, end) in {"off": (5, 9), "maybe": (10, 14)}.items():
        conf = {"__start_line__": start, "__end_line__": end, "__address__": f"aws_lambda_function_url.{name}",
                "function_name": ["f"], "authorization_type": ["NONE"]}
        graph.add(Vertex(conf["__address__"], "aws_lambda_function_url", conf, str(main)))
        confs[name] = conf
    builder = kinds.kind(FunctionUrl).terraform_builder
    assert builder(confs["off"], graph, None) == []
    maybe = builder(confs["maybe"], graph, None)
    assert isinstance(maybe.authorization_type, Unknown) and "count" in maybe.authorization_type.reason


def test_the_wrapper_hands_its_graph_to_confs_read_without_one():
    """A builder written as ``Conf.of(type, conf)`` (no graph) inside the wrapper still resolves
    references through the scan's graph."""
    from prr_policies.sources.terraform import Conf

    seen = []

    @terraform_builder("aws_lambda_function", LambdaFunction)
    def build(conf, graph=None, settings=None):
        seen.append(Conf.of("aws_lambda_function", conf).graph)
        return LambdaFunction(address="f")

    graph = ResourceGraph()
    build({"__address__": "aws_lambda_function.f"}, graph)
    assert seen == [graph]
