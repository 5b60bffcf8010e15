"""Issue 11 acceptance: no check returns PASS or NOT_APPLICABLE for a value it could not resolve.

Hypothesis writes HCL where every field the checks read is a literal, an expression whose inputs
are known here (a variable's default, a null default under coalesce(), a local, try() falling
back, format(), a template, a conditional on a known flag) or an expression that cannot be known
(a root variable without a default, terraform_data's output, a function this reader does not
evaluate, terraform.workspace, a condition on an unknown). The expected facts hold the value
for the first two and Unknown for the last; through the real checkov CLI on HCL, every check must
give the pure rule's verdict on those facts, so in particular never PASS or NOT_APPLICABLE where
the rule, told the value is unknown, says UNKNOWN.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from hypothesis import example, given, settings, strategies as st

from prr_policies.catalog import catalog
from prr_policies.controls import RULES, evaluate
from prr_policies.facts import EnvironmentVariable, ExecutionRoleFacts, FunctionUrl, LambdaFunction, LambdaPermission, Unknown

from .checkov_run import run_checkov_on_hcl
from .strategies import BOUNDARY, CSC, DLQ, KMS_AWS, KMS_CMK

KNOWN = ("literal", "default", "local", "try", "coalesce", "condition")
KNOWN_STRING = KNOWN + ("format", "template")
UNKNOWN_KINDS = ("no_default", "after_apply", "function", "workspace", "unknown_condition")
LITERALS = {
    "runtime": ["python3.13", "python3.8"], "timeout": [30, 900], "memory_size": [512, 128], "reserved": [50, -1, 0],
    "tracing": ["Active", "PassThrough"], "kms": [KMS_CMK, KMS_AWS], "csc": [CSC], "dlq": [DLQ], "subnets": [["subnet-0a1b2c3d"]],
    "boundary": [BOUNDARY], "principal": ["s3.amazonaws.com", "sns.amazonaws.com", "123456789012"],
    "source_arn": ["arn:aws:s3:::orders-uploads"], "source_account": ["123456789012"], "auth": ["AWS_IAM", "NONE"],
}
NUMBERS = {"timeout", "memory_size", "reserved"}
LISTS = {"subnets"}
UNSET = object()


@dataclass
class Field:
    name: str
    value: object  # the literal (or UNSET: the attribute is left out)
    kind: str


def _hcl(value: object) -> str:
    return json.dumps(value)


class Writer:
    """Renders each field as its kind of expression, collecting the declarations it needs."""

    def __init__(self) -> None:
        self.decls: list[str] = []
        self.n = 0

    def expr(self, f: Field) -> str:
        self.n += 1
        lit, other = _hcl(f.value), _hcl(_other(f))
        k, i = f.kind, self.n
        if k == "literal":
            return lit
        if k == "default":
            self.decls.append(f'variable "d{i}" {{\n  default = {lit}\n}}')
            return f"var.d{i}"
        if k == "local":
            self.decls.append(f"locals {{\n  l{i} = {lit}\n}}")
            return f"local.l{i}"
        if k == "try":
            return f"try(local.empty.missing, {lit})"
        if k == "coalesce":
            return f"coalesce(var.null_value, {lit})"
        if k == "condition":
            return f"var.flag ? {lit} : {other}"
        if k == "format":
            return f'format("%s", {lit})'
        if k == "template":
            return f'"${{{lit}}}"'
        if k == "no_default":
            self.decls.append(f'variable "u{i}" {{}}')
            return f"var.u{i}"
        if k == "after_apply":
            self.decls.append(f'resource "terraform_data" "t{i}" {{\n  input = {lit}\n}}')
            return f"terraform_data.t{i}.output"
        if k == "function":
            return "parseint(substr(timestamp(), 0, 4), 10)" if f.name in NUMBERS else \
                '[substr(timestamp(), 0, 4)]' if f.name in LISTS else "lower(timestamp())"
        if k == "workspace":
            return f'terraform.workspace == "prod" ? {lit} : {other}'
        if k == "unknown_condition":
            self.decls.append(f'variable "c{i}" {{}}')
            return f"var.c{i} ? {lit} : {other}"
        raise AssertionError(k)


def _other(f: Field) -> object:
    """A value different from the field's, for the other branch of a conditional."""
    if f.name in NUMBERS:
        return f.value + 1 if isinstance(f.value, int) else 1
    if f.name in LISTS:
        return []
    return f"other-{f.name}"


def expected(f: Field) -> object:
    if f.value is UNSET:
        return None
    return f.value if f.kind in KNOWN_STRING else Unknown(f"{f.kind} expression")


def field(name: str, optional: bool = True):
    kinds = KNOWN + UNKNOWN_KINDS if (name in NUMBERS or name in LISTS) else KNOWN_STRING + UNKNOWN_KINDS
    values = st.sampled_from(LITERALS[name]) | (st.just(UNSET) if optional else st.nothing())
    return st.builds(Field, st.just(name), values, st.sampled_from(kinds)).map(
        lambda f: Field(f.name, f.value, "literal") if f.value is UNSET else f)


functions = st.fixed_dictionaries({
    "runtime": field("runtime", optional=False), "timeout": field("timeout"), "memory_size": field("memory_size"),
    "reserved": field("reserved"), "tracing": field("tracing"), "kms": field("kms"), "csc": field("csc"),
    "dlq": field("dlq"), "subnets": field("subnets"), "boundary": field("boundary"), "env": st.booleans(),
})
permissions = st.fixed_dictionaries({"principal": field("principal", optional=False), "source_arn": field("source_arn"),
                                     "source_account": field("source_account")})
urls = st.fixed_dictionaries({"auth": field("auth", optional=False)})


def render(fns: list[dict], perms: list[dict], url_specs: list[dict]) -> tuple[str, list[tuple[str, object]]]:
    w = Writer()
    out: list[str] = []
    facts: list[tuple[str, object]] = []

    def attr(name: str, f: Field, indent: str = "  ") -> list[str]:
        return [] if f.value is UNSET else [f"{indent}{name} = {w.expr(f)}"]

    for i, fn in enumerate(fns):
        name = f"fn{i}"
        lines = [f'resource "aws_lambda_function" "{name}" {{', f'  function_name = "{name}"', f"  role = aws_iam_role.{name}.arn",
                 '  handler = "app.handler"', '  filename = "app.zip"']
        lines += attr("runtime", fn["runtime"]) + attr("timeout", fn["timeout"]) + attr("memory_size", fn["memory_size"])
        lines += attr("reserved_concurrent_executions", fn["reserved"]) + attr("kms_key_arn", fn["kms"])
        lines += attr("code_signing_config_arn", fn["csc"])
        for block, key, f in (("tracing_config", "mode", fn["tracing"]), ("dead_letter_config", "target_arn", fn["dlq"])):
            if f.value is not UNSET:
                lines += [f"  {block} {{", *attr(key, f, "    "), "  }"]
        if fn["subnets"].value is not UNSET:
            lines += ["  vpc_config {", *attr("subnet_ids", fn["subnets"], "    "), '    security_group_ids = ["sg-0123abcd"]', "  }"]
        if fn["env"]:
            lines += ["  environment {", '    variables = { STAGE = "prod" }', "  }"]
        out.append("\n".join(lines + ["}"]))
        out.append("\n".join([f'resource "aws_iam_role" "{name}" {{', f'  name = "{name}"', '  assume_role_policy = "{}"',
                              *attr("permissions_boundary", fn["boundary"]), "}"]))
        facts.append((f"aws_lambda_function.{name}", LambdaFunction(
            address=name, package_type="Zip", runtime=expected(fn["runtime"]), tracing_mode=expected(fn["tracing"]),
            reserved_concurrency=expected(fn["reserved"]) if fn["reserved"].value is not UNSET else -1,
            timeout=expected(fn["timeout"]) if fn["timeout"].value is not UNSET else 3,
            memory_size=expected(fn["memory_size"]) if fn["memory_size"].value is not UNSET else 128,
            has_environment_variables=fn["env"],
            environment=(EnvironmentVariable("STAGE", "prod", "literal"),) if fn["env"] else None, kms_key_arn=expected(fn["kms"]), code_signing_config_arn=expected(fn["csc"]),
            dead_letter_target_arn=expected(fn["dlq"]), on_failure_destination=None,
            vpc_subnet_ids=tuple(expected(fn["subnets"])) if isinstance(expected(fn["subnets"]), list) else expected(fn["subnets"]),
            # literal subnet ids name no aws_subnet of the configuration: their zones cannot be known (PRR-LAMBDA-020)
            vpc_availability_zones=Unknown("the subnets are not defined in the scanned configuration")
            if isinstance(expected(fn["subnets"]), list) else None,
            role=ExecutionRoleFacts(f"aws_iam_role.{name}", expected(fn["boundary"]), 1))))
    for i, p in enumerate(perms):
        name = f"perm{i}"
        out.append("\n".join([f'resource "aws_lambda_permission" "{name}" {{', '  function_name = "fn"',
                              '  action = "lambda:InvokeFunction"', *attr("principal", p["principal"]),
                              *attr("source_arn", p["source_arn"]), *attr("source_account", p["source_account"]), "}"]))
        facts.append((f"aws_lambda_permission.{name}", LambdaPermission(
            name, expected(p["principal"]), "lambda:InvokeFunction", expected(p["source_arn"]), expected(p["source_account"]))))
    for i, u in enumerate(url_specs):
        name = f"url{i}"
        out.append("\n".join([f'resource "aws_lambda_function_url" "{name}" {{', '  function_name = "fn"',
                              *attr("authorization_type", u["auth"]), "}"]))
        facts.append((f"aws_lambda_function_url.{name}", FunctionUrl(name, expected(u["auth"]))))
    common = ['locals {\n  empty = {}\n}', 'variable "null_value" {\n  default = null\n}', 'variable "flag" {\n  default = true\n}']
    return "\n".join(common + w.decls + out) + "\n", facts


CONTROLS = [cid for cid, r in RULES.items() if r.facts_type in (LambdaFunction, LambdaPermission, FunctionUrl)
            and catalog().control(cid).enforcement.checkov]
ISSUE_EXAMPLE = ([], [{"principal": Field("principal", "sns.amazonaws.com", "try"), "source_arn": Field("source_arn", UNSET, "literal"),
                       "source_account": Field("source_account", UNSET, "literal")},
                      {"principal": Field("principal", "s3.amazonaws.com", "no_default"),
                       "source_arn": Field("source_arn", UNSET, "literal"), "source_account": Field("source_account", UNSET, "literal")}],
                 [{"auth": Field("auth", "NONE", "after_apply")}])


@settings(max_examples=6 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 60)
@given(st.tuples(st.lists(functions, min_size=1, max_size=3), st.lists(permissions, max_size=2), st.lists(urls, max_size=1)))
@example(ISSUE_EXAMPLE)
def test_no_pass_or_not_applicable_for_a_value_that_could_not_be_resolved(fixture_settings, spec):
    hcl, facts = render(*spec)
    run = run_checkov_on_hcl(hcl, [catalog().control(c).enforcement.checkov[0] for c in CONTROLS])
    assert "Failed to run check" not in run.stderr and "Traceback" not in run.stderr, run.stderr[-2000:]
    for resource, want_facts in facts:
        for cid in CONTROLS:
            if not isinstance(want_facts, RULES[cid].facts_type):
                continue
            want = evaluate(cid, want_facts, fixture_settings).status.value
            check_id = catalog().control(cid).enforcement.checkov[0]
            rec = [r for r in run.records if r["check_id"] == check_id and r["resource"] == resource]
            assert len(rec) == 1, (cid, resource, hcl)
            got = rec[0]["details"][0].split(":")[0]
            if want == "UNKNOWN":
                assert got not in ("PASS", "NOT_APPLICABLE"), (cid, resource, rec[0]["details"], hcl)
            assert got == want, (cid, resource, rec[0]["details"], want_facts, hcl)
