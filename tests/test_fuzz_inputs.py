"""Issue 9 (acceptance): malformed settings files, policy documents (lint-policy and simulate
case files) and Config events fed to the public entry points. Every input here is malformed by
construction (each mutation breaks a rule the format states), so each run must end in a clear
message and a documented exit code (2, or 1 for a lint error finding) or error type
(InputError/PolicyError, or the Config handler's error answer), never a traceback and never
success. HCL and plan/state JSON through `scan` are fuzzed elsewhere (the scan's own tests).

Hypothesis profile `ci` (tests/conftest.py) keeps this deterministic and bounded.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import json
import typing
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from prr_policies.cli import main
from prr_policies.errors import InputError
from prr_policies.settings import DEFAULTS_FILE, Settings, load_settings

from .strategies import iam_policy

# -- shared strategies ----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
not_json = st.sampled_from(["{", "{bad", "[1,", "'single'", "{\"a\": }", "nul", "\x00", "{\"a\": 1} trailing", "\ud800"])


def run_cli(*args: str) -> tuple[int, str, str]:
    """``main`` in this process (the exit code is its return value); stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def assert_one_clear_line(err: str, names: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"prr-policies: {names}"), err
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# -- settings ---------------------------------------------------------------------------------

DEFAULTS = yaml.safe_load(DEFAULTS_FILE.read_text())


def _dataclass_of(tp: typing.Any) -> type | None:
    for t in (tp, *typing.get_args(tp)):
        if dataclasses.is_dataclass(t):
            return t
    return None


def _paths(cls: type, data: dict, path: tuple = ()) -> tuple[list[tuple], list[tuple]]:
    """(leaves, mappings that are dataclasses) of the defaults, as key paths; list items are leaves too."""
    leaves, records = [], [path]
    hints = typing.get_type_hints(cls)
    keys = {f.metadata.get("key", f.name): f.name for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    for key, value in data.items():
        sub = _dataclass_of(hints[keys[key]])
        if sub is not None and isinstance(value, dict):
            more_leaves, more_records = _paths(sub, value, path + (key,))
            leaves += more_leaves
            records += more_records
        else:
            leaves.append(path + (key,))
            if isinstance(value, list):
                leaves += [path + (key, i) for i in range(len(value))]
    return leaves, records


LEAVES, RECORDS = _paths(Settings, DEFAULTS)


def _wrong_type(value: typing.Any) -> typing.Any:
    """A value of a kind no field holding ``value`` accepts."""
    if isinstance(value, bool):
        return "maybe"
    if isinstance(value, (int, float)):
        return "ten"
    if isinstance(value, str):
        return 17
    if isinstance(value, list):
        return "not a list"
    if isinstance(value, dict):
        return [1]
    return [[1]]  # None: optional str/date/float/dataclass fields reject a nested list


def _at(doc: typing.Any, path: tuple) -> typing.Any:
    for k in path:
        doc = doc[k]
    return doc


@st.composite
def malformed_settings(draw) -> tuple[str | bytes, str]:
    """(file content, what the error must name)."""
    kind = draw(st.sampled_from(["wrong type", "unknown key", "duplicate key", "broken YAML", "not a mapping", "not UTF-8"]))
    doc = copy.deepcopy(DEFAULTS)
    if kind == "wrong type":
        path = draw(st.sampled_from(LEAVES))
        parent = _at(doc, path[:-1])
        parent[path[-1]] = _wrong_type(parent[path[-1]])
        named = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        return yaml.safe_dump(doc, sort_keys=False), named + ": "
    if kind == "unknown key":
        path = draw(st.sampled_from(RECORDS))
        key = draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(lambda k: k not in _at(doc, path)))
        _at(doc, path)[key] = draw(json_values)
        return yaml.safe_dump(doc, sort_keys=False), ".".join(path + (key,))
    if kind == "duplicate key":
        section = draw(st.sampled_from([k for k, v in DEFAULTS.items() if isinstance(v, dict)]))
        text = yaml.safe_dump(doc, sort_keys=False) + yaml.safe_dump({section: DEFAULTS[section]}, sort_keys=False)
        return text, section
    if kind == "broken YAML":
        text = yaml.safe_dump(doc, sort_keys=False)
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + draw(st.sampled_from(["\n: [", "\nlambda: {a: [1, }\n", "\n\t- x\n", "\nkey: 'unclosed\n"])), "line"
    if kind == "not a mapping":
        return yaml.safe_dump(draw(st.lists(json_values, min_size=1) | st.text(min_size=1).filter(lambda t: t.strip()))), ""
    return b"lambda:\n  require_vpc: " + draw(st.binary(min_size=1, max_size=8).filter(_not_utf8)), ""


def _not_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@given(malformed_settings())
@example(("lambda:\n  timeout: {max_seconds: 29}\nlambda:\n  require_vpc: true\n", "lambda"))
@example(("lambda: [1, 2\n", "line"))
def test_malformed_settings_are_an_input_error_and_exit_2(workdir, case):
    content, named = case
    f = workdir / "prr.yaml"
    if isinstance(content, bytes):
        f.write_bytes(content)
    else:
        f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_settings(f)
    assert err.value.source == str(f) and named in f"{err.value.path}: {err.value.reason}", err.value
    code, out, stderr = run_cli("settings", "--show", "--settings", str(f))
    assert code == 2 and out == ""
    assert_one_clear_line(stderr, str(f))


# -- policy documents: lint-policy and simulate -------------------------------------------------

def _statement_mutations(s: dict, draw) -> None:
    choice = draw(st.integers(0, 7))
    if choice == 0:
        s["Effect"] = draw(st.text(max_size=8).filter(lambda t: t not in ("Allow", "Deny")))
    elif choice == 1:
        s.pop("Action", None)
        s.pop("NotAction", None)
    elif choice == 2:
        s["Action" if "Action" in s else "NotAction"] = draw(st.integers() | st.dictionaries(st.text(max_size=4), st.text(max_size=4)))
    elif choice == 3:
        s["Condition"] = {draw(st.sampled_from(["StringEqualz", "NumericGreater", "ForAll:StringEquals"])): {"aws:x": "y"}}
    elif choice == 4:
        s[draw(st.sampled_from(["Resourse", "Actions", "Efect", "principal"]))] = "*"
    elif choice == 5:
        s.pop("Resource", None)
        s.pop("NotResource", None)
    elif choice == 6:
        s["Action"] = draw(st.text("abcdefgh*", min_size=1, max_size=8).filter(lambda a: a.strip("*")))  # no "service:" part
        s.pop("NotAction", None)
    else:
        s["Action"] = []
        s.pop("NotAction", None)


@st.composite
def malformed_policy(draw) -> dict | list | str:
    """A document parse_policy rejects (each mutation breaks a rule of the policy grammar)."""
    doc = draw(iam_policy())
    kind = draw(st.integers(0, 4))
    if kind == 0:
        stmts = doc["Statement"]
        _statement_mutations(stmts[draw(st.integers(0, len(stmts) - 1))], draw)
    elif kind == 1:
        doc["Version"] = draw(st.text(max_size=12).filter(lambda v: v not in ("2012-10-17", "2008-10-17")))
    elif kind == 2:
        doc["Statement"] = draw(st.integers() | st.text(max_size=5) | st.none())
    elif kind == 3:
        doc[draw(st.sampled_from(["Statment", "Effect", "Policy"]))] = draw(json_values)
    else:
        return draw(st.lists(json_values, max_size=3) | st.integers() | st.text(max_size=10))
    return doc


@st.composite
def malformed_policy_text(draw) -> str:
    if draw(st.integers(0, 4)) == 0:
        text = json.dumps(draw(iam_policy()))
        return text[:draw(st.integers(0, len(text) - 1))] + draw(not_json)
    return json.dumps(draw(malformed_policy()))


@given(malformed_policy_text(), st.sampled_from(["managed", "boundary", "scp", "resource"]))
@example('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject"}}', "managed")
def test_lint_policy_never_passes_a_malformed_policy(workdir, text, ptype):
    f = workdir / "policy.json"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = run_cli("lint-policy", "--type", ptype, str(f))
    assert code in (1, 2), (code, out, err)
    assert "Traceback" not in err
    if code == 1:  # error findings, each naming the file and the JSON path
        assert any(line.startswith(f"{f}: ") and " error " in line for line in out.splitlines()), out
    else:
        assert_one_clear_line(err, str(f))


BASE_CASE = {"id": "fuzz", "source": "tests", "rule": "an identity policy allows", "expected": "Allow",
             "policies": {"identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]},
             "request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}


@st.composite
def malformed_case(draw) -> str:
    case = copy.deepcopy(BASE_CASE)
    kind = draw(st.integers(0, 6))
    if kind == 0:
        del case[draw(st.sampled_from(sorted(case)))]
    elif kind == 1:
        case["expected"] = draw(st.text(max_size=10).filter(lambda t: t not in ("Allow", "ExplicitDeny", "ImplicitDeny")))
    elif kind == 2:
        case[draw(st.sampled_from(["expect", "policy", "requests", "note"]))] = draw(json_values)
    elif kind == 3:
        case["policies"]["identity"][0] = draw(malformed_policy())
    elif kind == 4:
        case["request"][draw(st.sampled_from(["principal", "action", "context"]))] = draw(
            st.integers() | st.lists(st.integers(), min_size=1) | st.sampled_from(["", "s3GetObject", "not-an-arn"]))
    elif kind == 5:
        text = json.dumps(case)
        return text[:draw(st.integers(0, len(text) - 1))] + draw(not_json)
    else:
        return json.dumps(draw(st.integers() | st.text(max_size=8) | st.just([]) | st.lists(st.integers(), min_size=1)))
    return json.dumps(case)


def test_the_base_case_is_valid(workdir):
    f = workdir / "case.json"
    f.write_text(json.dumps(BASE_CASE))
    assert run_cli("simulate", str(f))[0] == 0


@given(malformed_case())
@example('{"id": "x"}')
def test_simulate_refuses_a_malformed_case_file_with_exit_2(workdir, text):
    f = workdir / "case.json"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = run_cli("simulate", str(f))
    assert code == 2, (code, out, err)
    assert_one_clear_line(err, str(f))


# -- Config events through the rule handler ---------------------------------------------------

@pytest.fixture(scope="module")
def config_aws():
    from moto import mock_aws

    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_REGION", "eu-west-1")
    mp.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield
    mp.undo()


def _base_event() -> dict:
    from .test_config_rules import event, sqs_item

    return event("PRR-SQS-001", sqs_item())


@st.composite
def malformed_event(draw) -> typing.Any:
    ev = _base_event()
    invoking = json.loads(ev["invokingEvent"])
    kind = draw(st.integers(0, 7))
    if kind == 0:  # invokingEvent missing, not a string, not JSON, or not an object
        choice = draw(st.integers(0, 3))
        if choice == 0:
            del ev["invokingEvent"]
        elif choice == 1:
            ev["invokingEvent"] = draw(json_values.filter(lambda v: not isinstance(v, str)))
        elif choice == 2:
            ev["invokingEvent"] = ev["invokingEvent"][:draw(st.integers(0, 40))] + draw(not_json)
        else:
            ev["invokingEvent"] = json.dumps(draw(json_values.filter(lambda v: not isinstance(v, dict))))
    elif kind == 1:  # ruleParameters not a JSON object
        ev["ruleParameters"] = draw(not_json | json_values.filter(lambda v: not isinstance(v, (dict, str)) and v is not None).map(json.dumps))
    elif kind == 2:  # parameters of the wrong kind
        params = {"ControlId": "PRR-SQS-001", "AssumeRoleMode": "false"}
        key = draw(st.sampled_from(["ControlId", "AssumeRoleMode", "ExecutionRoleName", "Colour"]))
        params[key] = draw(json_values.filter(lambda v: not isinstance(v, str)) if key != "Colour" else json_values)
        ev["ruleParameters"] = json.dumps(params)
    elif kind == 3:  # an item without the fields rdklib reads
        del invoking["configurationItem"][draw(st.sampled_from(["resourceType", "resourceId", "configurationItemStatus",
                                                                  "configurationItemCaptureTime"]))]
    elif kind == 4:
        invoking["configurationItem"] = draw(json_values.filter(lambda v: not isinstance(v, dict) or not v))
    elif kind == 5:
        invoking["messageType"] = draw(json_values.filter(lambda v: v not in ("ConfigurationItemChangeNotification",
                                                                             "OversizedConfigurationItemChangeNotification",
                                                                             "ScheduledNotification")))
    elif kind == 6:
        del ev[draw(st.sampled_from(["resultToken", "eventLeftScope"]))]
    else:
        return draw(json_values.filter(lambda v: not isinstance(v, dict)) | st.just({}))
    if kind in (3, 4, 5):
        ev["invokingEvent"] = json.dumps(invoking)
    return ev


@given(malformed_event())
@example({"ruleParameters": "{bad"})
def test_a_malformed_config_event_is_answered_never_compliant(config_aws, ev):
    from prr_policies.config_rules import handler
    from prr_policies.settings import load_settings

    out = handler.lambda_handler(ev, None, load_settings())
    assert isinstance(out, dict) and isinstance(out.get("internalErrorMessage"), str) and out["internalErrorMessage"], out
    assert all(e["ComplianceType"] == "NON_COMPLIANT" and e["Annotation"].startswith("UNKNOWN: ") for e in out["evaluations"]), out
