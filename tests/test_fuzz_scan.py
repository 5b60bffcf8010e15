"""Issue 9 fuzz (scan's share): malformed HCL, plan JSON and state JSON given to `prr-policies scan`
end in one clear `prr-policies:` line and a documented exit code (2 bad input, 3 could not
evaluate), never success and never a traceback.

Malformed means: text that does not parse; Terraform that Terraform rejects; a plan or state
whose structure (the nodes checkov's plan reader walks) has a node of the wrong type, a required
key missing, or is cut short. A wrong *value* in a well-formed plan is not malformed: it gets a
verdict like any other value.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from prr_policies.cli import main

from .conftest import FIXTURES, STACKS

BASE_HCL = (FIXTURES / "scan" / "features" / "main.tf").read_text()
BASE_PLAN = json.loads((STACKS / "noncompliant" / "plan.json").read_text())
BASE_STATE = json.loads((FIXTURES / "scan" / "state" / "state.json").read_text())


def run_scan(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["scan", *args, "--only-prr"])
    return code, err.getvalue()


def assert_refused(code: int, stderr: str, name: str) -> None:
    assert code in (2, 3), f"exit {code}: {stderr[-1500:]}"
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("prr-policies: ") and name in last, last
    assert "Traceback" not in stderr


def scan_text(name: str, text: str | bytes, as_plan: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / name
        target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        code, err = run_scan(["--plan", str(target)] if as_plan else [str(Path(tmp))])
        assert_refused(code, err, name if code == 2 else Path(tmp).name)


# -- HCL ----------------------------------------------------------------------------------------------

BREAKERS = ['\n{\n', '\nresource "aws_lambda_function" {\n', '\n"\n', '\n= 3\n', '\n}\n}\n', '\n<<EOF\n',
            '\nlocals {\n  a = \n}\n', '\nmodule {\n}\n', '\ntimeout = 3\n', '\nresource "a" "b" "c" {}\n', '\x00']


@given(cut=st.integers(0, len(BASE_HCL)), breaker=st.sampled_from(BREAKERS), tail=st.text(max_size=12))
@example(cut=0, breaker="\ntimeout = 3\n", tail="")
@example(cut=len(BASE_HCL), breaker='\nresource "aws_lambda_function" {\n', tail="}")
def test_broken_hcl_is_refused(cut, breaker, tail):
    scan_text("main.tf", BASE_HCL[:cut] + breaker + tail)


@settings(max_examples=15)
@given(text=st.text(max_size=60) | st.binary(max_size=40))
@example(text="")
@example(text="# only a comment\n")
@example(text=b"\xff\xfe")
def test_arbitrary_text_as_main_tf_never_passes(text):
    """Blank or comment-only text is valid HCL with nothing in it: exit 3 (nothing evaluated)."""
    scan_text("main.tf", text)


@given(text=st.text(max_size=40))
@example(text='{"resource": {"aws_lambda_function": {"f": 1}}}')
@example(text="[]")
def test_arbitrary_text_as_terraform_json_never_passes(text):
    scan_text("main.tf.json", text)


# -- plan and state JSON ------------------------------------------------------------------------------

# The nodes checkov's plan reader walks, and the JSON types Terraform writes there.
RESOURCE = {"": "dict", "type": "str", "name": "str", "address": "str", "mode": "str", "values": "dict"}
MODULE: dict[str, Any] = {"": "dict", "resources": ["list", RESOURCE], "address": "str"}
MODULE["child_modules"] = ["list", MODULE]
CHANGE = {"": "dict", "address": "str", "type": "str", "name": "str",
          "change": {"": "dict", "actions": "list", "before": "dict|null", "after": "dict|null"}}
CONF_MODULE: dict[str, Any] = {"": "dict", "resources": ["list", {"": "dict", "type": "str", "name": "str", "expressions": "dict"}],
                               "module_calls": "dict"}
PLAN = {"": "dict", "format_version": "str", "terraform_version": "str", "planned_values": {"": "dict", "root_module": MODULE},
        "resource_changes": ["list", CHANGE], "configuration": {"": "dict", "provider_config": "dict", "root_module": CONF_MODULE}}
STATE = {"": "dict", "format_version": "str", "terraform_version": "str", "values": {"": "dict", "root_module": MODULE}}
REQUIRED = {"format_version", "type", "name", "change", "actions"}


def structural(doc: Any, schema: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, expected JSON type) for every node of `doc` the schema names."""
    if isinstance(schema, str):
        return [(path, schema)]
    if isinstance(schema, list):
        out = [(path, schema[0])]
        if isinstance(doc, list):
            for i, item in enumerate(doc):
                out += structural(item, schema[1], path + (i,))
        return out
    out = [(path, schema[""])] if path else []
    if isinstance(doc, dict):
        for key, sub in schema.items():
            if key and key in doc:
                out += structural(doc[key], sub, path + (key,))
    return out


def kind(value: Any) -> str:
    return {dict: "dict", list: "list", str: "str", type(None): "null", bool: "bool"}.get(type(value), "number")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6)


def mutated(base: dict, schema: dict, data: st.DataObject) -> dict:
    doc = copy.deepcopy(base)
    path, expected = data.draw(st.sampled_from(structural(doc, schema)))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if path[-1] in REQUIRED and data.draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON.filter(lambda v: kind(v) not in expected.split("|")))
    return doc


@given(data=st.data())
def test_a_plan_with_a_malformed_structure_is_refused(data):
    scan_text("plan.json", json.dumps(mutated(BASE_PLAN, PLAN, data)), as_plan=True)


@given(data=st.data())
def test_a_state_with_a_malformed_structure_is_refused(data):
    scan_text("state.json", json.dumps(mutated(BASE_STATE, STATE, data)), as_plan=True)


@given(which=st.sampled_from(["plan", "state"]), cut=st.floats(0, 0.999))
def test_a_truncated_plan_or_state_is_refused(which, cut):
    text = json.dumps(BASE_PLAN if which == "plan" else BASE_STATE, indent=1)
    scan_text(f"{which}.json", text[:int(len(text) * cut)], as_plan=True)


@given(doc=JSON)
@example(doc={"format_version": "1.0"})  # an empty state: nothing to evaluate
@example(doc={"format_version": "9.9", "planned_values": {}})
def test_arbitrary_json_as_a_plan_never_passes(doc):
    scan_text("plan.json", json.dumps(doc), as_plan=True)
