"""Issue 11: the Terraform source read here (sources/terraform/hcl.py, source.py): Terraform's
syntax and evaluation rules, on the expressions real modules write.

python-hcl2 (bc-python-hcl2 0.4.3, which checkov uses) writes ``(a + 1) * 2`` back as
``a + 1 * 2`` and keeps escapes in literal strings, so expressions are parsed here; these tests
pin what Terraform itself does.
"""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from prr_policies.facts import Unknown
from prr_policies.sources.terraform import hcl, source


class Vars(hcl.Scope):
    def __init__(self, values, each=None, count_index=None):
        self.values, self.each, self.count_index = values, each, count_index

    def var(self, name):
        return self.values.get(name, Unknown(f"var.{name} has no value"))


def ev(text, values=None, **kw):
    return hcl.evaluate(hcl.parse_expression(text), Vars(values or {}, **kw))


@pytest.mark.parametrize("text, want", [
    ("(1 + 2) * 3", 9), ("1 + 2 * 3", 7), ("10 - 2 - 3", 5), ("!(true && false)", True), ("!true || true", True),
    ("1 < 2 && 2 <= 2", True), ('"a" == "a" ? "y" : "n"', "y"), ("null == null", True), ('1 == "1"', False),
    ('"q\\"uote\\n"', 'q"uote\n'), ('"$${literal}"', "${literal}"), ('"a${1 + 1}b"', "a2b"),
    ("[for s in [\"a\", \"b\"] : upper(s)]", ["A", "B"]), ("{for k, v in {a = 1, b = 2} : k => v * 10 if v > 1}", {"b": 20}),
    ("[{a = 1}, {a = 2}][*].a", [1, 2]), ('{a = {b = [10, 20]}}.a.b[1]', 20), ('{"x y" = 1}["x y"]', 1),
    ('try({}.missing, "fallback")', "fallback"), ('can({}.missing)', False), ('coalesce(null, "", "x")', "x"),
    ('format("%s-%d-%q", "a", 2, "b")', 'a-2-"b"'), ('lookup({a = 1}, "b", 3)', 3), ("length([1, 2, 3])", 3),
    ('join(",", ["a", "b"])', "a,b"), ('merge({a = 1}, {b = 2})', {"a": 1, "b": 2}), ('jsonencode({a = [1]})', '{"a":[1]}'),
    ('"${true}"', True), ('"x${true}"', "xtrue"), ("-1", -1), ("3 / 2", 1.5), ("7 % 3", 1),
])
def test_terraform_evaluation_rules(text, want):
    assert ev(text) == want


def test_heredocs_keep_quotes_and_interpolate():
    assert ev('<<EOT\n  say "${var.x}"\nEOT', {"x": "hi"}) == '  say "hi"\n'
    assert ev('<<-EOT\n    a\n      b\n    EOT') == "a\n  b\n"


def test_unknown_propagates_unless_the_result_does_not_depend_on_it():
    u = {"known": "k"}
    assert isinstance(ev("var.nope", u), Unknown)
    assert isinstance(ev('"${var.nope}.amazonaws.com"', u), Unknown)
    assert isinstance(ev("upper(var.nope)", u), Unknown)
    assert isinstance(ev("try(var.nope, \"x\")", u), Unknown)  # Terraform: try() of an unknown is unknown
    assert ev("false && var.nope", u) is False and ev("true || var.nope", u) is True
    assert ev("var.nope ? 1 : 1", u) == 1 and isinstance(ev("var.nope ? 1 : 2", u), Unknown)
    assert ev('coalesce("a", var.nope)', u) == "a" and isinstance(ev('coalesce(var.nope, "a")', u), Unknown)
    assert isinstance(ev("timestamp()", u), Unknown) and isinstance(ev("terraform.workspace", u), Unknown)


def test_references_name_their_target_and_are_known_only_after_apply():
    ref = ev("aws_iam_role.lambda[0].arn")
    assert isinstance(ref, hcl.Ref) and ref.target == "aws_iam_role.lambda[0]" and ref.path == ("arn",)
    assert ev('data.aws_kms_alias.sns.target_key_arn').target == "data.aws_kms_alias.sns"
    assert ev("module.queue.arn").target == "module.queue"
    assert ev('"${aws_x.y.arn}/*"').target == "aws_x.y"  # set, value after apply
    assert isinstance(ev('upper(aws_x.y.arn)'), Unknown)
    assert isinstance(ev("aws_x.y.arn == null"), Unknown)


def test_each_and_count_index():
    assert ev("try(each.value.principal, format(\"%s.amazonaws.com\", each.value.service))",
              each=("sns", {"service": "sns"})) == "sns.amazonaws.com"
    assert ev("each.key", each=("k", 1)) == "k"
    assert ev("var.l[count.index]", {"l": ["a", "b"]}, count_index=1) == "b"
    assert isinstance(ev("each.key"), Unknown)


@pytest.mark.parametrize("text", ['"unterminated', "a = ", "resource {", '"\\q"', "x = (1", "${", "a = [1, 2", "@"])
def test_malformed_source_is_an_hcl_error_not_a_crash(text):
    with pytest.raises(hcl.HclError):
        hcl.parse_body(text)


@given(st.text(alphabet=st.sampled_from(list('abcx_.[]{}()"$%#=+-*/!?:,<>&|~\\ \n0123456789')), max_size=60))
def test_any_text_parses_or_is_an_hcl_error(text):
    try:
        attrs, blocks = hcl.parse_body(text)
    except hcl.HclError:
        return
    for attr in attrs.values():
        try:
            hcl.evaluate(attr.expr, Vars({}))
        except hcl.EvalError:
            pass


def test_blocks_and_nested_blocks(tmp_path):
    attrs, blocks = hcl.parse_body('''
resource "aws_lambda_function" "f" {
  count = var.create ? 1 : 0   # a comment
  dynamic "vpc_config" {
    for_each = var.subnets == null ? [] : [1]
    content {
      subnet_ids = var.subnets
    }
  }
  tags = {
    a = "b"
  }
}
/* a block comment */
locals {
  x = 1
}
''')
    f, loc = blocks
    assert (f.type, f.labels) == ("resource", ("aws_lambda_function", "f")) and set(f.attributes) == {"count", "tags"}
    assert f.blocks[0].type == "dynamic" and f.blocks[0].labels == ("vpc_config",)
    assert loc.attributes["x"].expr == ("lit", 1)


def test_module_instances_take_values_from_their_call(tmp_path):
    """count = 0 on a module call or inside it gives no instance; values set in the call are used
    inside; a variable whose default is null is null."""
    (tmp_path / "mod").mkdir()
    (tmp_path / "main.tf").write_text('module "off" {\n  source = "./mod"\n  create = false\n}\n'
                                      'module "on" {\n  source = "./mod"\n  name = "svc"\n}\n')
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "create" {\n  default = true\n}\nvariable "name" {\n  default = "x"\n}\n'
        'variable "boundary" {\n  default = null\n}\n'
        'resource "aws_iam_role" "r" {\n  count = var.create ? 1 : 0\n  name = "${var.name}-role"\n'
        '  permissions_boundary = var.boundary\n}\n')
    chain = lambda name: [(str(tmp_path / "main.tf"), name)]  # noqa: E731
    off = source.find(str(tmp_path / "mod" / "main.tf"), "module.off.aws_iam_role.r[0]", chain("off"))
    on = source.find(str(tmp_path / "mod" / "main.tf"), "module.on.aws_iam_role.r[0]", chain("on"))
    assert off.exists is False and on.exists is True
    conf = on.conf()
    assert conf["name"] == ["svc-role"] and conf["permissions_boundary"] == [None]
    assert source.find(str(tmp_path / "mod" / "main.tf"), "module.on.aws_iam_role.r[1]", chain("on")).exists is False


def test_root_variables_take_tfvars_and_the_scans_var_files(tmp_path, monkeypatch):
    """terraform.tfvars, *.auto.tfvars and the scan's --var-file files ($PRR_VAR_FILES, in order)
    give root variables their values, as Terraform does; a var file that cannot be read makes
    them unknown, saying why (it was skipped silently, and the scan's --var-file was ignored by
    the checks that read variables from the source)."""
    (tmp_path / "main.tf").write_text('variable "mode" {\n  default = "PassThrough"\n}\n'
                                      'resource "aws_lambda_function" "f" {\n  tracing_config {\n    mode = var.mode\n  }\n}\n')
    main = str(tmp_path / "main.tf")

    def mode() -> object:
        return source.find(main, "aws_lambda_function.f", []).conf()["tracing_config"][0]["mode"][0]

    monkeypatch.delenv(source.VAR_FILES_ENV, raising=False)
    assert mode() == "PassThrough"
    (tmp_path / "terraform.tfvars").write_text('mode = "Active"\n')
    assert mode() == "Active"
    dev = tmp_path / "dev.tfvars"
    dev.write_text('mode = "Off"\n')
    monkeypatch.setenv(source.VAR_FILES_ENV, str(dev))
    assert mode() == "Off"
    dev.write_text('mode = "Off\n')  # an unterminated string
    got = mode()
    assert isinstance(got, Unknown) and "dev.tfvars cannot be read" in got.reason
