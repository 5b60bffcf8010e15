"""Policy checks for GitHub Actions workflows that release Lambda functions (pure: PyYAML only).

``check(doc, source)`` returns violations, each naming the file and the path inside it:

- **static-aws-keys**: no long-lived AWS keys: no ``aws-access-key-id`` / ``aws-secret-access-key``
  inputs, no ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN`` in ``env``,
  no ``AKIA``/``ASIA`` key ids written out;
- **oidc-scope**: ``id-token: write`` only in the jobs that assume a role with
  ``aws-actions/configure-aws-credentials`` (or call a reusable workflow), never at the top
  level; and each such job has it;
- **pinned**: every action and reusable workflow from another repository is pinned by a full
  40-character commit SHA;
- **sign-before-deploy**: a step running ``prr_policies.pipeline deploy`` comes after a step
  running ``prr_policies.pipeline sign`` in the same job;
- **deploy-needs-scan**: a job that deploys needs, directly or through other jobs, the job
  that runs ``prr-policies scan``;
- **production-environment**: a job that deploys has an ``environment``; one that uses a
  production role or is named for production has an environment whose name starts with
  ``production``.

``python -m prr_policies.workflows FILE...`` prints the violations and exits 1 when there are any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Iterator, Sequence

SHA = re.compile(r"^[0-9a-f]{40}$")
KEY_ID = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
STATIC_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials"


def load(path: str | Path) -> dict:
    import yaml

    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    text = Path(path).read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=_loader())
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a workflow (expected a mapping)")
    return doc


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    # YAML 1.2 booleans only (true/false), as GitHub reads them: `on`, `yes` and `off` stay strings.
    Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:bool"]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return Loader


def _steps(job: dict) -> list[dict]:
    return [s for s in job.get("steps") or [] if isinstance(s, dict)]


def _run(step: dict) -> str:
    return str(step.get("run") or "")


def _uses_credentials(step: dict) -> bool:
    return str(step.get("uses", "")).split("@")[0] == CREDENTIALS_ACTION


def _grants_id_token(perms: Any) -> bool:
    return perms == "write-all" or (isinstance(perms, dict) and perms.get("id-token") == "write")


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def _deploys(job: dict) -> bool:
    return any("prr_policies.pipeline deploy" in _run(s) for s in _steps(job))


def _scans(job: dict) -> bool:
    return any("prr-policies scan" in _run(s) for s in _steps(job))


def _needs(jobs: dict, name: str, seen: set | None = None) -> set[str]:
    seen = set() if seen is None else seen
    needs = jobs.get(name, {}).get("needs") or []
    for n in [needs] if isinstance(needs, str) else needs:
        if n not in seen:
            seen.add(n)
            _needs(jobs, n, seen)
    return seen


def check(doc: dict, source: str = "<workflow>") -> list[str]:
    out: list[str] = []

    def bad(path: str, rule: str, why: str) -> None:
        out.append(f"{source}: {path}: {rule}: {why}")

    for path, node in _walk(doc, ""):
        leaf = path.rsplit(".", 1)[-1]
        if leaf in ("aws-access-key-id", "aws-secret-access-key"):
            bad(path, "static-aws-keys", "long-lived AWS keys; assume a role with OIDC (role-to-assume)")
        if leaf in STATIC_ENV and ".env." in f".{path}":
            bad(path, "static-aws-keys", f"{leaf} in env; assume a role with OIDC")
        if isinstance(node, str) and KEY_ID.search(node):
            bad(path, "static-aws-keys", "an AWS access key id is written out")
    if _grants_id_token(doc.get("permissions")):
        bad("permissions", "oidc-scope", "id-token: write at the top level reaches every job; grant it per job")
    jobs = doc.get("jobs") or {}
    if "runs" in doc:  # an action.yml: its steps are checked like one job's
        jobs = {"(action)": {"steps": (doc.get("runs") or {}).get("steps") or []}}
    scanners = {n for n, j in jobs.items() if isinstance(j, dict) and _scans(j)}
    for name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        where = f"jobs.{name}"
        steps = _steps(job)
        uses = [(f"{where}.steps[{i}].uses", s["uses"]) for i, s in enumerate(job.get("steps") or []) if isinstance(s, dict) and s.get("uses")]
        if job.get("uses"):
            uses.append((f"{where}.uses", job["uses"]))
        for p, ref in uses:
            ref = str(ref)
            if ref.startswith("./") or ref.startswith("docker://"):
                continue
            target, _, version = ref.partition("@")
            if not SHA.match(version):
                bad(p, "pinned", f"{target} is pinned to {version or 'nothing'}, not a full commit SHA")
        assumes = any(_uses_credentials(s) for s in steps)
        if _grants_id_token(job.get("permissions")) and not (assumes or job.get("uses")):
            bad(f"{where}.permissions", "oidc-scope", "id-token: write in a job that assumes no AWS role")
        if assumes and not _grants_id_token(job.get("permissions")):
            bad(f"{where}.permissions", "oidc-scope", "assumes an AWS role but does not grant id-token: write to itself")
        signed = False
        for i, s in enumerate(steps):
            signed = signed or "prr_policies.pipeline sign" in _run(s)
            if "prr_policies.pipeline deploy" in _run(s) and not signed:
                bad(f"{where}.steps[{i}]", "sign-before-deploy", "deploys before any step signs the package")
        if _deploys(job):
            if not scanners & _needs(jobs, name):
                bad(f"{where}.needs", "deploy-needs-scan", "deploys without depending on the job that runs prr-policies scan")
            env = job.get("environment")
            env_name = env.get("name") if isinstance(env, dict) else env
            if not env_name:
                bad(where, "production-environment", "a deploy job runs in a GitHub environment (approvals, scoped OIDC subject)")
            production = "production" in name.lower() or "production" in str(job.get("name", "")).lower() or any(
                "production" in str(v) for s in steps if _uses_credentials(s) for v in (s.get("with") or {}).values())
            if production and env_name and not str(env_name).startswith("production"):
                bad(f"{where}.environment", "production-environment", f"deploys to production in environment {env_name!r}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    files = list(sys.argv[1:] if argv is None else argv)
    if not files:
        print("usage: python -m prr_policies.workflows WORKFLOW.yml...", file=sys.stderr)
        return 2
    import yaml

    problems = []
    for f in files:
        try:
            problems += check(load(f), f)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            print(f"prr-policies: {exc}", file=sys.stderr)
            return 2
    for p in problems:
        print(p)
    print(f"{len(files)} file(s), {len(problems)} violation(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
