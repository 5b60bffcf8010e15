"""What `prr-policies scan` reads before checkov runs: roots, module calls, plan and state JSON,
the checkov options it passes. No checkov run here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from prr_policies.errors import InputError
from prr_policies.scan import ScanOptions, check_checkov_args, common_argv, plan_targets, read_baseline
from prr_policies.scan_inputs import Tree, read_show_json, state_as_plan

from .conftest import FIXTURES

FUNCTION = '''resource "aws_lambda_function" "this" {{
  function_name = "{name}"
  role          = "arn:aws:iam::123456789012:role/x"
  handler       = "app.handler"
  runtime       = "python3.13"
  filename      = "app.zip"
}}
'''


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def multi_root_tree(tmp_path: Path) -> Path:
    """examples/a and examples/b call ../../modules/fn (module "fn" in both); modules/fn calls
    ../inner; the top directory is a root of its own; legacy/ is called by nobody."""
    return write(tmp_path, {
        "main.tf": 'resource "aws_sqs_queue" "top" {\n  name = "top"\n}\n',
        "examples/a/main.tf": 'module "fn" {\n  source = "../../modules/fn"\n}\n',
        "examples/b/main.tf": 'module "fn" {\n  source = "../../modules/fn"\n}\nmodule "reg" {\n  source  = "terraform-aws-modules/lambda/aws"\n  version = "~> 7.0"\n}\n',
        "modules/fn/main.tf": 'module "inner" {\n  source = "../inner"\n}\n',
        "modules/inner/main.tf": FUNCTION.format(name="inner"),
        "legacy/main.tf.json": json.dumps({"resource": {"aws_sqs_queue": {"q": {"name": "q"}}}}),
        ".terraform/modules/x/main.tf": FUNCTION.format(name="ignored"),
    })


def test_roots_are_the_directories_no_other_directory_calls(tmp_path):
    """Issue 11: a folder of several root modules is scanned one root at a time; a directory that
    another directory under the path calls as a local module is a module, not a root."""
    tree = Tree.read(multi_root_tree(tmp_path))
    rel = lambda paths: sorted(p.relative_to(tmp_path.resolve()).as_posix() for p in paths)  # noqa: E731
    assert rel(tree.roots()) == [".", "examples/a", "examples/b", "legacy"]
    assert rel(tree.closure((tmp_path / "examples/a").resolve())) == ["examples/a", "modules/fn", "modules/inner"]


def test_module_calls_carry_their_full_address_and_location(tmp_path):
    tree = Tree.read(multi_root_tree(tmp_path))
    calls = {address: call for address, call in tree.addressed_calls((tmp_path / "examples/b").resolve())}
    assert set(calls) == {"module.fn", "module.fn.module.inner", "module.reg"}
    reg = calls["module.reg"]
    assert (reg.source, reg.version, reg.lines, reg.is_local) == ("terraform-aws-modules/lambda/aws", "~> 7.0", (4, 7), False)
    assert calls["module.fn.module.inner"].local_dir == (tmp_path / "modules/inner").resolve()


def test_a_call_cycle_falls_back_to_the_scanned_path_as_the_one_root(tmp_path):
    write(tmp_path, {"a/main.tf": 'module "b" {\n  source = "../b"\n}\n', "b/main.tf": 'module "a" {\n  source = "../a"\n}\n'})
    assert Tree.read(tmp_path).roots() == [tmp_path.resolve()]


def test_each_root_skips_the_other_roots_below_it(tmp_path):
    """checkov -d walks every subdirectory: the top root must not pick up examples/a's resources."""
    multi_root_tree(tmp_path)
    targets = plan_targets(tmp_path, None, ScanOptions(), tmp_path)
    top = next(t for t in targets if t.argv[1] == str(tmp_path.resolve()))
    skipped = [top.argv[i + 1] for i, a in enumerate(top.argv) if a == "--skip-path"]
    assert {s.strip("^$").replace("\\", "") for s in skipped} == {
        str((tmp_path / d).resolve()) for d in ("examples/a", "examples/b", "legacy", "modules/fn", "modules/inner")}
    legacy = next(t for t in targets if t.argv[1].endswith("legacy"))
    assert legacy.argv[legacy.argv.index("--framework") + 1:][:2] == ["terraform", "terraform_json"]


def test_single_root_is_one_checkov_run_over_the_folder(tmp_path):
    multi_root_tree(tmp_path)
    targets = plan_targets(tmp_path, None, ScanOptions(single_root=True), tmp_path)
    assert len(targets) == 1 and "--skip-path" not in targets[0].argv


def test_malformed_module_call_and_files_name_the_file(tmp_path):
    write(tmp_path, {"main.tf": 'module "x" {\n  version = "1.0"\n}\n'})
    with pytest.raises(InputError, match=r"main.tf: module.x.source: expected a literal module source"):
        Tree.read(tmp_path)
    (tmp_path / "main.tf").write_text("")
    (tmp_path / "bad.tf.json").write_text("{")
    with pytest.raises(InputError, match="bad.tf.json: malformed Terraform JSON"):
        Tree.read(tmp_path)


# -- plan and state JSON ------------------------------------------------------------------------------


def plan_doc(**over) -> dict:
    doc = {"format_version": "1.2", "terraform_version": "1.11.4",
           "planned_values": {"root_module": {"resources": [
               {"address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue", "name": "q", "values": {"name": "q"}}]}},
           "resource_changes": [{"address": "aws_sqs_queue.q", "type": "aws_sqs_queue", "name": "q",
                                 "change": {"actions": ["create"], "before": None, "after": {"name": "q"}, "after_unknown": {}}}],
           "configuration": {"root_module": {"resources": [{"address": "aws_sqs_queue.q", "type": "aws_sqs_queue", "name": "q"}]}}}
    doc.update(over)
    return doc


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.2", "1.27"])
def test_supported_format_versions_are_read(tmp_path, version):
    (tmp_path / "p.json").write_text(json.dumps(plan_doc(format_version=version)))
    assert read_show_json(tmp_path / "p.json").kind == "plan"


@pytest.mark.parametrize("version", ["2.0", "0.3", "1", 1.2, None, "1.2-beta"])
def test_an_unknown_format_version_is_refused_naming_the_supported_ones(tmp_path, version):
    """Issue 9: a plan with an unknown format_version was scanned as if it were understood."""
    (tmp_path / "p.json").write_text(json.dumps(plan_doc(format_version=version)))
    with pytest.raises(InputError, match=r"format_version: unsupported format_version .*supported versions are 0.1, 0.2 and 1.x"):
        read_show_json(tmp_path / "p.json")


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["planned_values"].update(root_module="x"), "planned_values.root_module: expected an object, got a string"),
    (lambda d: d["planned_values"]["root_module"].update(resources={}), "planned_values.root_module.resources: expected an array"),
    (lambda d: d["planned_values"]["root_module"]["resources"][0].pop("type"), "resources[0].type: expected a string, got null"),
    (lambda d: d["planned_values"]["root_module"]["resources"][0].update(values=[1]), "resources[0].values: expected an object"),
    (lambda d: d["planned_values"]["root_module"].update(child_modules=[3]), "child_modules[0]: expected an object, got a number"),
    (lambda d: d["resource_changes"][0].pop("address"), "resource_changes[0].address: expected a string"),
    (lambda d: d["resource_changes"][0]["change"].update(actions="create"), "resource_changes[0].change.actions: expected an array"),
    (lambda d: d.update(configuration=[]), "configuration: expected an object, got an array"),
])
def test_a_plan_checkov_would_crash_on_is_refused_with_the_path(tmp_path, mutate, where):
    """Issue 9: `planned_values.root_module` a string crashed checkov (a RuntimeError traceback, exit 1)."""
    doc = plan_doc()
    mutate(doc)
    (tmp_path / "p.json").write_text(json.dumps(doc))
    with pytest.raises(InputError) as exc:
        read_show_json(tmp_path / "p.json")
    assert str(exc.value).startswith(str(tmp_path / "p.json")) and where in str(exc.value)


def test_state_is_read_and_a_raw_state_file_is_refused_with_the_command_to_run():
    show = read_show_json(FIXTURES / "scan" / "state" / "state.json")
    assert (show.kind, show.has_resources) == ("state", True)
    with pytest.raises(InputError, match=r"raw Terraform state file \(version 4\).*terraform show -json"):
        read_show_json(FIXTURES / "scan" / "state" / "terraform.tfstate")


def test_an_empty_state_has_no_resources(tmp_path):
    (tmp_path / "s.json").write_text('{"format_version":"1.0"}')
    show = read_show_json(tmp_path / "s.json")
    assert (show.kind, show.has_resources) == ("state", False)


def test_state_as_plan_renames_only_the_top_level_values_and_keeps_every_line(tmp_path):
    state = {"format_version": "1.0", "values": {"root_module": {"resources": [
        {"address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue", "name": "q",
         "values": {"name": "values", "tags": {"values": "x"}}}]}}}
    text = json.dumps(state, indent=2)
    (tmp_path / "s.json").write_text(text)
    plan = state_as_plan(read_show_json(tmp_path / "s.json"))
    doc = json.loads(plan)
    assert "values" not in doc and doc["planned_values"] == state["values"]
    assert plan.count("\n") == text.count("\n")
    assert [i for i, line in enumerate(plan.splitlines()) if '"aws_sqs_queue.q"' in line] == \
           [i for i, line in enumerate(text.splitlines()) if '"aws_sqs_queue.q"' in line]


def test_a_document_that_is_neither_plan_nor_state_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"format_version": "1.0", "outputs": {}}')
    with pytest.raises(InputError, match="neither a plan .* nor a state"):
        read_show_json(tmp_path / "x.json")


# -- checkov options ----------------------------------------------------------------------------------


def test_checkov_options_teams_use_are_passed_through(tmp_path):
    """Issue 9: scan could not pass --var-file, --skip-check, --download-external-modules or raw
    checkov arguments."""
    (tmp_path / "dev.tfvars").write_text('x = 1\n')
    argv = common_argv(ScanOptions(var_files=(str(tmp_path / "dev.tfvars"),), skip_checks=("CKV_PRR_1", "CKV_AWS_50"),
                                   download_external_modules=True, checkov_args=("--skip-path", "legacy")))
    assert argv[argv.index("--var-file") + 1] == str((tmp_path / "dev.tfvars").resolve())
    assert argv[argv.index("--skip-check") + 1] == "CKV_PRR_1,CKV_AWS_50"
    assert argv[argv.index("--download-external-modules") + 1] == "true"
    assert argv[-2:] == ["--skip-path", "legacy"]


@pytest.mark.parametrize("arg", ["-o", "--output=sarif", "--quiet", "--soft-fail", "-d", "--baseline"])
def test_checkov_options_that_would_hide_results_are_refused(arg):
    with pytest.raises(InputError, match="not passed to checkov"):
        check_checkov_args(("--compact", arg))


def test_baseline_files_are_validated(tmp_path):
    (tmp_path / "b.json").write_text(json.dumps({"failed_checks": [{"file": "/main.tf", "findings": [
        {"resource": "aws_lambda_function.f", "check_ids": ["CKV_PRR_1", "CKV_PRR_3"]}]}]}))
    assert read_baseline(str(tmp_path / "b.json")) == {("aws_lambda_function.f", "CKV_PRR_1"), ("aws_lambda_function.f", "CKV_PRR_3")}
    (tmp_path / "b.json").write_text(json.dumps({"failed_checks": [{"findings": [{"resource": 1}]}]}))
    with pytest.raises(InputError, match=r"failed_checks\[0\].findings\[0\]"):
        read_baseline(str(tmp_path / "b.json"))


def test_skip_check_with_only_prr_narrows_the_check_list():
    """checkov refuses an id in both --check and --skip-check (exit 2); scan leaves it out of --check."""
    argv = common_argv(ScanOptions(only_prr=True, skip_checks=("CKV_PRR_5",)))
    checks = argv[argv.index("--check") + 1].split(",")
    assert "CKV_PRR_5" not in checks and "CKV_PRR_1" in checks and "--skip-check" not in argv
    with pytest.raises(InputError, match="skips every PRR check"):
        from prr_policies.catalog import catalog

        common_argv(ScanOptions(only_prr=True, skip_checks=tuple(ck for c in catalog().controls for ck in c.enforcement.checkov)))


@pytest.mark.parametrize("name, text, where", [
    ("main.tf", 'resource "aws_lambda_function" {\n  timeout = 3\n}\n', "resource.aws_lambda_function.timeout: a resource block takes 2 label(s)"),
    ("main.tf", 'resource "a" "b" "c" {\n}\n', "resource.a.b: a resource block takes 2 label(s)"),
    ("main.tf", 'module {\n  source = "./m"\n}\n', "module.source: a module block takes 1 label(s)"),
    ("main.tf", 'timeout = 3\n', "timeout: unexpected top-level argument"),
    ("main.tf", 'resources "a" "b" {\n}\n', "resources: unexpected top-level block type"),
    ("main.tf.json", '{"resource": {"aws_sqs_queue": ["q"]}}', "resource.aws_sqs_queue: expected an object keyed by block label"),
    ("main.tf.json", '{"resource": {"aws_sqs_queue": {"q": 1}}}', "resource.aws_sqs_queue.q: expected a block body"),
    ("main.tf.json", '{"resources": {}}', "resources: unexpected top-level property"),
])
def test_terraform_that_checkov_would_skip_silently_is_refused(tmp_path, name, text, where):
    """Issue 9 (fuzz): a block with the wrong number of labels or a top-level argument parses, and
    checkov drops it without a word; Terraform rejects it."""
    from prr_policies.scan_inputs import parse_tf

    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=re.escape(where)):
        parse_tf(tmp_path / name)


def test_valid_terraform_passes_the_block_checks():
    from prr_policies.scan_inputs import iter_tf_files, parse_tf

    files = list(iter_tf_files(FIXTURES)) + list(iter_tf_files(FIXTURES.parent / "examples"))
    assert len(files) > 30
    for f in files:
        if "not-there" not in str(f):
            parse_tf(f)


def test_framework_option_replaces_the_frameworks_of_path(tmp_path):
    from prr_policies.cli import build_parser

    args = build_parser().parse_args(["scan", "--framework", "terraform,terraform_json", "--framework", "secrets", "infra"])
    assert args.path == "infra" and args.framework == ["terraform,terraform_json", "secrets"]
    tf_json = FIXTURES / "scan" / "tf_json"
    (auto,) = plan_targets(tf_json, None, ScanOptions(), tmp_path)
    (given,) = plan_targets(tf_json, None, ScanOptions(frameworks=("terraform",)), tmp_path)
    frameworks = lambda t: t.argv[t.argv.index("--framework") + 1:]  # noqa: E731
    assert (frameworks(auto), frameworks(given)) == (["terraform", "terraform_json"], ["terraform"])
