"""Write the plan JSON of Terraform directories with Terraform itself, offline.

    python tools/tf_plan.py DIR...            # (re)write DIR/plan.json for each DIR
    python tools/tf_plan.py --check DIR...    # re-plan and compare with the committed plan.json

Each directory is planned in a temporary copy: a provider configuration that plans without
credentials or API calls is added (fake keys, every ``skip_*`` check on; values that exist only
after apply stay unknown), ``terraform init`` takes the ``hashicorp/aws`` provider from the local
filesystem mirror (``$PRR_TF_PLUGIN_DIR``, or a ``registry.terraform.io`` plugin directory found in
the usual places), and ``terraform plan -refresh=false`` + ``terraform show -json`` write the
plan (the ``timestamp`` dropped and ``relevant_attributes`` sorted, so that a re-plan compares
equal). A ``plan.tfvars`` next to ``main.tf`` is passed with ``-var-file`` (root variables without a
default need a value), and a ``prior.tfstate`` is used as the state the plan starts from (so that
a plan can update, replace, delete or leave resources unchanged, not only create them).

Exit status: 0 written / up to date, 1 a plan differs or Terraform refused a directory (its
message is printed), 3 Terraform or the provider mirror is not on this machine (said plainly).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROVIDER = """provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "AKIAPLANONLY00000000"
  secret_key                  = "plan-only-not-a-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""
MIRROR_PLACES = ("/opt/tf-plugins", "~/.terraform.d/plugins", "~/.local/share/terraform/plugins", "/usr/share/terraform/plugins",
                 "/usr/local/share/terraform/plugins")


class Unavailable(Exception):
    """Terraform or the provider mirror is not on this machine."""


def plugin_dir() -> Path:
    """The filesystem mirror holding registry.terraform.io/hashicorp/aws."""
    given = os.environ.get("PRR_TF_PLUGIN_DIR")
    for place in ([given] if given else []) + list(MIRROR_PLACES):
        p = Path(place).expanduser()
        if (p / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return p
    raise Unavailable("no hashicorp/aws provider mirror found (set PRR_TF_PLUGIN_DIR to a directory holding "
                      "registry.terraform.io/hashicorp/aws/<version>/<os_arch>)")


def terraform() -> str:
    exe = shutil.which("terraform")
    if exe is None:
        raise Unavailable("terraform is not on the PATH")
    return exe


def available() -> str | None:
    """None when plans can be written here, else why not."""
    try:
        terraform()
        plugin_dir()
    except Unavailable as exc:
        return str(exc)
    return None


def _has_aws_provider_block(directory: Path) -> bool:
    return any('provider "aws"' in p.read_text(encoding="utf-8") for p in directory.glob("*.tf"))


def plan(directory: Path) -> dict:
    """The ``terraform show -json`` document of ``directory``'s plan. Raises RuntimeError with
    Terraform's message when Terraform refuses the configuration."""
    exe, mirror = terraform(), plugin_dir()
    with tempfile.TemporaryDirectory(prefix="prr-plan-") as tmp:
        work = Path(tmp) / directory.name
        shutil.copytree(directory, work, ignore=shutil.ignore_patterns(".terraform*", "plan.json", "*.tfstate*", "tfplan"))
        # An override file replaces attributes of an existing provider block; without one, a plain file adds it.
        (work / ("prr_provider_override.tf" if _has_aws_provider_block(work) else "prr_provider.tf")).write_text(PROVIDER)
        if (directory / "prior.tfstate").is_file():
            shutil.copy(directory / "prior.tfstate", work / "terraform.tfstate")
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE="/dev/null")
        steps = [[exe, "init", "-backend=false", "-input=false", f"-plugin-dir={mirror}"],
                 [exe, "plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=tfplan"]
                 + (["-var-file=plan.tfvars"] if (work / "plan.tfvars").is_file() else [])]
        for step in steps:
            proc = subprocess.run(step, cwd=work, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                message = (proc.stderr or proc.stdout).strip()
                raise RuntimeError(f"terraform {step[1]} refused {directory}:\n{message[-2500:]}")
        proc = subprocess.run([exe, "show", "-json", "tfplan"], cwd=work, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"terraform show failed for {directory}: {proc.stderr.strip()[-2000:]}")
    doc = json.loads(proc.stdout)
    doc.pop("timestamp", None)
    # Terraform lists relevant_attributes in an order that changes from run to run.
    doc["relevant_attributes"] = sorted(doc.get("relevant_attributes") or [], key=lambda a: json.dumps(a, sort_keys=True))
    return doc


def dump(doc: dict) -> str:
    return json.dumps(doc, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with the committed plan.json; write nothing")
    parser.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    args = parser.parse_args(argv)
    why = available()
    if why:
        print(f"tf_plan: cannot plan on this machine: {why}", file=sys.stderr)
        return 3

    def one(d: Path) -> tuple[Path, str | None]:
        try:
            text = dump(plan(d))
        except RuntimeError as exc:
            return d, str(exc)
        target = d / "plan.json"
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                return d, f"{target} differs from what Terraform plans now (run python tools/tf_plan.py {d})"
            return d, None
        target.write_text(text, encoding="utf-8")
        return d, None

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(one, args.dirs))
    bad = [(d, msg) for d, msg in results if msg]
    for _d, msg in bad:
        print(msg)
    if not args.check:
        print(f"{len(results) - len(bad)} plan(s) written, {len(bad)} refused", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
