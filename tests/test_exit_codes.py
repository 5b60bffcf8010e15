"""Issue 9: every command, in a subprocess, once for each exit code it can give:
0 compliant, 1 findings, 2 bad input or usage, 3 could not evaluate (a tool or environment
failure). No run ends in a traceback; each non-zero run says why in one line on stderr.

A missing optional dependency is simulated by blocking its import (a meta path finder installed
before the CLI is imported), not by uninstalling it.

Codes a command cannot give, and why: `catalog`, `checkov-dir` and `settings` read only packaged
data or one settings file (0 or 2); `simulate` runs the pure IAM engine, whose evaluation errors
are denies inside a decision (0, 1 or 2).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import EXAMPLE, ROOT, STACKS

BLOCKING = """
import sys
blocked = set(sys.argv.pop(1).split(","))
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
from prr_policies.cli import main
sys.exit(main(sys.argv[1:]))
"""
GOOD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
# moto has no code signing configs, and its GetFunction drops LoggingConfig (PRR-LAMBDA-017 cannot pass there)
NO_CODE_SIGNING = "lambda:\n  code_signing: {required: false}\nlogging:\n  json_required: false\n"


def no_aws_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_DEFAULT_REGION": "eu-west-1", **extra})
    return env


def run(args: list[str], *, blocked: str | None = None, moto: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    if blocked:
        cmd = [sys.executable, "-c", BLOCKING, blocked, *args]
    elif moto:
        cmd = [sys.executable, "-m", "tests.moto_cli", moto, *args]
    else:
        cmd = [sys.executable, "-m", "prr_policies.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env or no_aws_env(), timeout=600)


def write(tmp_path, name: str, content) -> str:
    p = tmp_path / name
    p.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(p)


def case(doc_expected: str) -> dict:
    return {"id": "c", "source": "test", "rule": "an identity policy allows", "expected": doc_expected,
            "policies": {"identity": [GOOD_POLICY]},
            "request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}


# (command, exit code, arguments ({t}: a temporary directory), how to run it, what stderr says)
CASES = [
    ("catalog", 0, ["catalog"], {}, None),
    ("catalog", 2, ["catalog", "--control", "PRR-NOPE-001"], {}, "no control 'PRR-NOPE-001'"),
    ("catalog", 2, ["catalog", "--format", "xml"], {}, "invalid choice"),
    ("checkov-dir", 0, ["checkov-dir"], {}, None),
    ("checkov-dir", 2, ["checkov-dir", "extra"], {}, "unrecognized arguments"),
    ("settings", 0, ["settings", "--defaults"], {}, None),
    ("settings", 2, ["settings", "--show", "--settings", "{t}/bad.yaml"], {}, "lambda.timeout.max: unknown field"),
    ("settings", 2, ["settings"], {}, "one of the arguments --defaults --show is required"),
    ("simulate", 0, ["simulate", "{t}/allow.json"], {}, None),
    ("simulate", 1, ["simulate", "{t}/deny.json"], {}, None),
    ("simulate", 2, ["simulate", "{t}/broken.json"], {}, "not JSON"),
    ("generate", 0, ["generate", "--check", "--settings", str(EXAMPLE / "prr.yaml")], {}, None),
    ("generate", 1, ["generate", "--check", "--settings", str(EXAMPLE / "prr.yaml"), "--out", "{t}"], {}, "generated files differ"),
    ("generate", 2, ["generate", "--check", "--settings", "{t}/bad.yaml"], {}, "lambda.timeout.max: unknown field"),
    ("generate", 3, ["generate", "--check", "--settings", str(EXAMPLE / "prr.yaml")], {"blocked": "policy_sentry"},
     'needs policy_sentry, which is not installed: pip install "prr-policies[guardrails]"'),
    ("lint-policy", 0, ["lint-policy", "{t}/good.json"], {}, None),
    ("lint-policy", 1, ["lint-policy", str(ROOT / "tests" / "lint_fixtures" / "bad_policy.json")], {}, "error(s)"),
    ("lint-policy", 2, ["lint-policy", "{t}/missing.json"], {}, "cannot read"),
    ("lint-policy", 3, ["lint-policy", "{t}/good.json"], {"blocked": "policy_sentry"}, 'pip install "prr-policies[guardrails]"'),
    ("audit", 0, ["audit", "--function", "fn", "--settings", "{t}/no-signing.yaml"], {"moto": "good"}, None),
    ("audit", 1, ["audit", "--function", "fn", "--settings", "{t}/no-signing.yaml"], {"moto": "bad"}, None),
    ("audit", 2, ["audit", "--region", "eu-west-1"], {}, "no AWS credentials found"),
    ("audit", 2, ["audit", "--timeout", "soon"], {}, "'soon' is not a number of seconds"),
    ("audit", 3, ["audit", "--region", "eu-west-1"], {"blocked": "boto3"}, 'needs boto3, which is not installed: pip install "prr-policies[aws]"'),
    ("audit", 3, ["audit", "--region", "eu-west-1", "--max-attempts", "1"], {"refused_port": True}, "cannot reach AWS"),
    ("docs", 0, ["docs", "--check", "--out", str(ROOT)], {}, None),
    ("docs", 1, ["docs", "--check", "--settings", str(EXAMPLE / "prr.yaml"), "--out", "{t}"], {}, "generated documents differ"),
    ("docs", 2, ["docs"], {}, "say `docs build`"),
    ("checklist", 1, ["checklist", "--settings", str(EXAMPLE / "prr.yaml")], {}, None),
    ("checklist", 2, ["checklist", "--settings", str(EXAMPLE / "prr.yaml"), "--attestations", "{t}/missing.yaml"], {},
     "cannot read the attestation file"),
    ("scan", 0, ["scan", str(STACKS / "compliant"), "--only-prr"], {}, None),
    ("scan", 1, ["scan", str(STACKS / "noncompliant"), "--only-prr"], {}, None),
    ("scan", 2, ["scan", "{t}/missing"], {}, "no such file or directory"),
    ("scan", 3, ["scan", str(STACKS / "compliant"), "--only-prr"], {"blocked": "hcl2"}, 'pip install "prr-policies[checkov]"'),
]


@pytest.mark.parametrize("command, code, args, how, message", CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_every_command_gives_each_of_its_exit_codes(tmp_path, command, code, args, how, message):
    write(tmp_path, "bad.yaml", "lambda:\n  timeout: {max: 3}\n")
    write(tmp_path, "no-signing.yaml", NO_CODE_SIGNING)
    write(tmp_path, "good.json", GOOD_POLICY)
    write(tmp_path, "allow.json", case("Allow"))
    write(tmp_path, "deny.json", case("ImplicitDeny"))
    write(tmp_path, "broken.json", "{not json")
    env = None
    if how.get("refused_port"):
        from tests.fake_aws import aws_env, refused_port

        env = aws_env(refused_port())
    proc = run([a.format(t=tmp_path) for a in args], blocked=how.get("blocked"), moto=how.get("moto"), env=env)
    assert proc.returncode == code, (proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    if message is not None:
        assert message in proc.stderr, proc.stderr
    if code in (2, 3):
        said = [line for line in proc.stderr.splitlines() if line.startswith(("prr-policies: ", "prr-policies ", "usage:"))]
        assert said, proc.stderr


def test_the_cases_cover_every_command_and_code_it_documents():
    from prr_policies.cli import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)  # noqa: SLF001 - argparse keeps them here
    covered = {(c[0], c[1]) for c in CASES}
    assert {c for c, _ in covered} == commands
    # docs and checklist need no optional extra (3 cannot happen), and the checklist of a service
    # with no evidence at all is never all Yes (0 needs a real audit; tests/test_documents_evidence.py)
    for command in commands - {"catalog", "checkov-dir", "settings", "simulate", "docs", "checklist"}:
        assert {code for c, code in covered if c == command} == {0, 1, 2, 3}, command


@pytest.mark.parametrize("args, code", [
    (["catalog", "--format", "json"], 0),
    (["simulate", "--format", "json", str(ROOT / "tests" / "iam_examples")], 0),
    (["lint-policy", str(ROOT / "tests" / "lint_fixtures" / "bad_policy.json")], 1),
])
def test_a_closed_pipe_is_a_quiet_end_with_the_real_exit_code(args, code):
    """Issue 9: `prr-policies catalog | head` ended in a BrokenPipeError traceback (and "Exception
    ignored" at shutdown). The reader here closes the pipe before the command writes, so every
    write meets a closed pipe; the command still finishes and gives its own exit code."""
    proc = subprocess.Popen([sys.executable, "-m", "prr_policies.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, env=no_aws_env())
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=600)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "Exception ignored" not in err and "BrokenPipe" not in err, err


def test_an_internal_error_is_exit_3_in_one_line_and_prr_debug_shows_the_traceback():
    """A bug (here: an injected one) is not a finding: exit 3, one line, and the traceback only
    when PRR_DEBUG is set."""
    code = ("import sys, prr_policies.catalog as c\n"
            "def broken(): raise KeyError('injected')\n"
            "c.load_catalog = broken\n"
            "from prr_policies.cli import main\nsys.exit(main(['catalog']))\n")
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=no_aws_env())
    assert quiet.returncode == 3 and "Traceback" not in quiet.stderr
    assert quiet.stderr.strip() == ("prr-policies: internal error, nothing was evaluated (KeyError: 'injected'); "
                                    "set PRR_DEBUG=1 for the traceback")
    loud = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=no_aws_env(PRR_DEBUG="1"))
    assert loud.returncode == 3 and "Traceback" in loud.stderr and "KeyError: 'injected'" in loud.stderr


def test_the_central_mapping_covers_what_commands_raise():
    """InputError (and its subclasses PolicyError, GuardrailError) -> 2; EvaluationError -> 3;
    a missing extra -> 3 with its pip install; anything else -> 3."""
    from prr_policies.cli import exit_status
    from prr_policies.errors import EvaluationError, GuardrailError, InputError
    from prr_policies.iam.model import PolicyError

    assert exit_status(InputError("f.json", "Statement[0]", "bad"))[0] == 2
    assert exit_status(PolicyError("f.json", "Statement[0]", "bad"))[0] == 2
    assert exit_status(GuardrailError("guardrails.allowed_regions", "bad"))[0] == 2
    assert exit_status(EvaluationError("checkov crashed"))[0] == 3
    code, message = exit_status(ModuleNotFoundError("No module named 'hcl2'", name="hcl2"), "scan")
    assert code == 3 and message == '`prr-policies scan` needs hcl2, which is not installed: pip install "prr-policies[checkov]"'
    assert exit_status(RuntimeError("checkov exited 2"))[0] == 3
