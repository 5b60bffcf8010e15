"""``python -m prr_policies.pipeline sign|deploy|rollback``: the release steps of the workflow.

Exit codes: 0 done; 1 refused (a check failed) or the deployment did not succeed (it was
rolled back); 2 usage; 3 an AWS call failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from prr_policies.pipeline import release as rel


def _client():
    import boto3

    session = boto3.Session()
    return session.client


def _sign(args: argparse.Namespace) -> int:
    client = _client()
    package = Path(args.package).read_bytes()
    r = rel.upload(client("s3"), args.bucket, args.key, package)
    print(f"uploaded s3://{r.bucket}/{r.key} version {r.version_id} (sha256 {r.sha256})")
    r = rel.sign(client, r, args.profile, args.signed_bucket or args.bucket, args.signed_prefix, args.function)
    print(f"signed by job {r.job_id}: s3://{r.signed_bucket}/{r.signed_key}, accepted by {args.function}'s code signing config")
    r.dump(args.out)
    return 0


def _emergency(args: argparse.Namespace) -> rel.Emergency | None:
    if args.emergency_reason is None and args.ticket is None:
        return None
    return rel.Emergency(args.emergency_reason or "", args.ticket or "")


def _deploy(args: argparse.Namespace) -> int:
    hooks = {k: v for k, v in (("BeforeAllowTraffic", args.before_hook), ("AfterAllowTraffic", args.after_hook)) if v}
    out = rel.deploy(_client(), rel.Release.load(args.release), args.function, args.alias, args.application, args.deployment_group,
                     hooks=hooks, config=args.deployment_config, emergency=_emergency(args))
    for step in out.steps:
        print(f"  {step}")
    print(f"{out.function}:{out.alias} {out.from_version} -> {out.to_version}: {out.status} {out.detail}".rstrip())
    return 0 if out.status == "Succeeded" else 1


def _rollback(args: argparse.Namespace) -> int:
    out = rel.rollback(_client(), args.function, args.alias, args.application, args.deployment_group, args.to_version)
    print(f"{out.function}:{out.alias} {out.from_version} -> {out.to_version}: {out.status} {out.detail}".rstrip())
    return 0 if out.status in ("Succeeded", "Stopped") else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m prr_policies.pipeline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sign", help="upload the package as a versioned S3 object, sign it with AWS Signer, wait, verify")
    p.add_argument("--package", required=True, help="the .zip to release")
    p.add_argument("--bucket", required=True, help="artifact bucket (versioning enabled)")
    p.add_argument("--key", required=True, help="object key of the unsigned package")
    p.add_argument("--profile", required=True, help="AWS Signer signing profile name")
    p.add_argument("--function", required=True, help="the function whose code signing config must accept the signature")
    p.add_argument("--signed-bucket", help="where Signer writes the signed package (default: --bucket)")
    p.add_argument("--signed-prefix", default="signed/", help="prefix of the signed package")
    p.add_argument("--out", default="release.json", help="the release record for `deploy` (default release.json)")
    p.set_defaults(func=_sign)
    for name, helptext in (("deploy", "verify the signature again, check the release path, publish a version, shift the alias "
                                      "with CodeDeploy and wait"),
                           ("rollback", "stop the deployment in flight (with rollback) or shift the alias back to --to-version")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--function", required=True)
        p.add_argument("--alias", default="live")
        p.add_argument("--application", required=True, help="CodeDeploy application")
        p.add_argument("--deployment-group", required=True, help="CodeDeploy deployment group")
        if name == "deploy":
            p.add_argument("--release", required=True, help="the release record `sign` wrote")
            p.add_argument("--deployment-config", help="override the group's config (canary or linear only)")
            p.add_argument("--before-hook", help="BeforeAllowTraffic hook function name")
            p.add_argument("--after-hook", help="AfterAllowTraffic hook function name")
            p.add_argument("--emergency-reason", help="the emergency path: shift all at once (with --ticket)")
            p.add_argument("--ticket", help="the incident ticket approving the emergency deploy (e.g. INC-1234)")
            p.set_defaults(func=_deploy)
        else:
            p.add_argument("--to-version", help="the version to return to when no deployment is in flight")
            p.set_defaults(func=_rollback)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        import botocore.exceptions
    except ImportError:
        print("prr-policies pipeline: needs boto3: pip install 'prr-policies[aws]'", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except rel.Refused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"prr-policies pipeline: {exc}", file=sys.stderr)
        return 2
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        print(f"prr-policies pipeline: AWS call failed: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
