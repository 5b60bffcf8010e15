"""Sign, verify, publish and shift traffic: the release path of a Lambda function.

Each step checks what users of such pipelines report breaking, before anything changes:

- Signer signs only versioned S3 objects: :func:`upload` refuses a bucket without versioning
  and records the object's version id, which the signing job names.
- "signed using a signature that the client is not configured to accept": :func:`verify`
  compares the signing job's profile version with the allowed publishers of the code signing
  config attached to the function (and that config must say Enforce), checks the job
  succeeded for exactly the uploaded object version, that neither the signature nor the profile
  is revoked or expired, and that the signed object exists. :func:`deploy` verifies again from
  the job id (never from a file alone), so an unsigned or wrongly signed package never reaches
  ``UpdateFunctionCode``.
- Canaries that are not gradual: the deployment config must shift traffic gradually
  (``TimeBasedCanary`` / ``TimeBasedLinear``); ``AllAtOnce`` only on the emergency path.
- Alarms that watch the old version too: the deploy step points the group's canary alarm at
  the new version only (``ExecutedVersion`` of the alias) before the deployment starts, and
  refuses a group whose Lambda alarms on the function lack that dimension, or that has no alarm
  or no automatic rollback on alarms.
- Provisioned concurrency on a version instead of the alias: refused (during a canary it stays
  on the old version and the new one gets none).

The emergency path (:class:`Emergency`): a reason and a ticket are required; the deployment
config becomes ``CodeDeployDefault.LambdaAllAtOnce``; signing, verification, alarms and
automatic rollback still apply. Nothing else skips the canary.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

GRADUAL = ("TimeBasedCanary", "TimeBasedLinear")
ALL_AT_ONCE = "CodeDeployDefault.LambdaAllAtOnce"
LAMBDA_PLATFORM = "AWSLambda-SHA384-ECDSA"
REQUIRED_ROLLBACK_EVENTS = {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"}
TICKET = re.compile(r"^[A-Z][A-Z0-9]+-\d+$")
IN_FLIGHT = ["Created", "Queued", "InProgress", "Ready"]

Client = Callable[[str], Any]


def pause(seconds: float) -> None:
    """How the waits sleep when no ``sleep`` is passed (tests replace this)."""
    time.sleep(seconds)


class Refused(Exception):
    """The release must not go on; the message says why and what to change."""


@dataclass(frozen=True)
class Emergency:
    """The documented emergency path: why, and the incident ticket that approves it."""

    reason: str
    ticket: str

    def __post_init__(self) -> None:
        if len(self.reason.strip()) < 10:
            raise Refused("an emergency deploy needs a reason (at least 10 characters) for the record")
        if not TICKET.match(self.ticket):
            raise Refused(f"an emergency deploy needs an incident ticket like INC-1234, not {self.ticket!r}")


@dataclass
class Release:
    """What ``sign`` hands to ``deploy``: the uploaded object and the signing job that signed it."""

    bucket: str
    key: str
    version_id: str
    sha256: str
    job_id: str | None = None
    signed_bucket: str | None = None
    signed_key: str | None = None

    def dump(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Release":
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(**doc)
        except (OSError, ValueError, TypeError) as exc:
            raise Refused(f"{path}: not a release record written by `sign` ({exc})") from None


@dataclass
class Outcome:
    function: str
    alias: str
    from_version: str
    to_version: str | None
    deployment_id: str | None
    status: str
    detail: str = ""
    steps: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- upload and sign

def upload(s3: Any, bucket: str, key: str, package: bytes) -> Release:
    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    if versioning != "Enabled":
        raise Refused(f"s3://{bucket}: versioning is {versioning or 'off'}; AWS Signer signs only versioned S3 objects")
    version = s3.put_object(Bucket=bucket, Key=key, Body=package).get("VersionId")
    if not version or version == "null":
        raise Refused(f"s3://{bucket}/{key}: S3 returned no version id")
    return Release(bucket, key, version, hashlib.sha256(package).hexdigest())


def start_signing(signer: Any, release: Release, profile: str, dest_bucket: str, dest_prefix: str) -> str:
    resp = signer.start_signing_job(
        source={"s3": {"bucketName": release.bucket, "key": release.key, "version": release.version_id}},
        destination={"s3": {"bucketName": dest_bucket, "prefix": dest_prefix}},
        profileName=profile)
    return resp["jobId"]


def wait_signing(signer: Any, job_id: str, sleep: Callable[[float], None] | None = None, attempts: int = 60,
                 delay: float = 5.0) -> dict:
    for _ in range(attempts):
        job = signer.describe_signing_job(jobId=job_id)
        if job.get("status") == "Succeeded":
            return job
        if job.get("status") == "Failed":
            raise Refused(f"signing job {job_id} failed: {job.get('statusReason', 'no reason given')}")
        (sleep or pause)(delay)
    raise Refused(f"signing job {job_id} did not finish after {attempts} checks")


def sign(client: Client, release: Release, profile: str, dest_bucket: str, dest_prefix: str, function: str,
         sleep: Callable[[float], None] | None = None) -> Release:
    """Start the signing job, wait for it, verify the signed object for ``function``."""
    job_id = start_signing(client("signer"), release, profile, dest_bucket, dest_prefix)
    wait_signing(client("signer"), job_id, sleep)
    release.job_id = job_id
    return verify(client, release, function)


def _profile_version_arn(job: dict, region: str, account: str) -> str:
    return f"arn:aws:signer:{region}:{account}:/signing-profiles/{job.get('profileName')}/{job.get('profileVersion')}"


def _control(rule_name: str) -> str:
    """The control id of a rule in prr_policies.controls.function (for a message that points to it)."""
    from prr_policies.controls import function
    from prr_policies.controls._common import control_of

    return control_of(getattr(function, rule_name))


def allowed_publishers(lam: Any, function: str) -> list[str]:
    """The profile version ARNs the function's code signing config accepts (Enforce only)."""
    arn = lam.get_function_code_signing_config(FunctionName=function).get("CodeSigningConfigArn")
    if not arn:
        raise Refused(f"{function} has no code signing config: Lambda would run any package ({_control('code_signing')})")
    csc = lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
    policy = csc.get("CodeSigningPolicies", {}).get("UntrustedArtifactOnDeployment")
    if policy != "Enforce":
        raise Refused(f"{arn}: UntrustedArtifactOnDeployment is {policy}; it must be Enforce ({_control('signing_enforced')})")
    return list(csc.get("AllowedPublishers", {}).get("SigningProfileVersionArns", []))


def verify(client: Client, release: Release, function: str, now: float | None = None) -> Release:
    """Check the signing job behind ``release`` against the function's code signing config;
    returns the release with the signed object's location. Raises :class:`Refused`."""
    if not release.job_id:
        raise Refused(f"s3://{release.bucket}/{release.key} was never signed (no signing job): refusing to deploy it")
    signer, s3, lam = client("signer"), client("s3"), client("lambda")
    job = signer.describe_signing_job(jobId=release.job_id)
    if job.get("status") != "Succeeded":
        raise Refused(f"signing job {release.job_id} is {job.get('status')}: {job.get('statusReason', '')}".rstrip(": "))
    src = job.get("source", {}).get("s3", {})
    if (src.get("bucketName"), src.get("key"), src.get("version")) != (release.bucket, release.key, release.version_id):
        raise Refused(f"signing job {release.job_id} signed s3://{src.get('bucketName')}/{src.get('key')} version {src.get('version')}, "
                      f"not the uploaded s3://{release.bucket}/{release.key} version {release.version_id}")
    if job.get("platformId") != LAMBDA_PLATFORM:
        raise Refused(f"signing job {release.job_id} used platform {job.get('platformId')}; Lambda takes {LAMBDA_PLATFORM}")
    if job.get("revocationRecord"):
        raise Refused(f"the signature of job {release.job_id} was revoked: {job['revocationRecord'].get('reason', '')}")
    expires = job.get("signatureExpiresAt")
    now = time.time() if now is None else now
    if expires is not None and getattr(expires, "timestamp", lambda: float(expires))() <= now:
        raise Refused(f"the signature of job {release.job_id} expired at {expires}")
    profile = signer.get_signing_profile(profileName=job.get("profileName"))
    if profile.get("status") != "Active":
        raise Refused(f"signing profile {job.get('profileName')} is {profile.get('status')}")
    region = lam.meta.region_name
    account = job.get("jobOwner") or profile.get("arn", "::::").split(":")[4]
    used = _profile_version_arn(job, region, account)
    allowed = allowed_publishers(lam, function)
    if used not in allowed:
        raise Refused(f"{function}: the package is signed by {used}, which its code signing config does not accept "
                      f"(allowed: {', '.join(allowed) or 'none'}); Lambda would reject it as 'signed using a signature that "
                      "the client is not configured to accept'")
    signed = job.get("signedObject", {}).get("s3", {})
    if not signed.get("key"):
        raise Refused(f"signing job {release.job_id} names no signed object")
    s3.head_object(Bucket=signed["bucketName"], Key=signed["key"])  # raises ClientError (404) when it is missing
    release.signed_bucket, release.signed_key = signed["bucketName"], signed["key"]
    return release


# ---------------------------------------------------------------- the release path

def deployment_type(cd: Any, config_name: str) -> str:
    info = cd.get_deployment_config(deploymentConfigName=config_name)["deploymentConfigInfo"]
    if info.get("computePlatform") != "Lambda":
        raise Refused(f"{config_name} is a {info.get('computePlatform')} deployment config, not a Lambda one")
    return info.get("trafficRoutingConfig", {}).get("type", "AllAtOnce")


def canary_alarm_name(function: str, alias: str) -> str:
    return f"{function}-{alias}-new-version-errors"


def check_release_path(client: Client, function: str, alias: str, app: str, group: str, config_override: str | None,
                       emergency: Emergency | None) -> tuple[str, dict]:
    """The deployment config to use and the group, after every check of the release path."""
    cd, cw, lam = client("codedeploy"), client("cloudwatch"), client("lambda")
    info = cd.get_deployment_group(applicationName=app, deploymentGroupName=group)["deploymentGroupInfo"]
    config = ALL_AT_ONCE if emergency else (config_override or info.get("deploymentConfigName") or ALL_AT_ONCE)
    kind = deployment_type(cd, config)
    if kind not in GRADUAL and not emergency:
        raise Refused(f"{app}/{group}: {config} shifts traffic {kind}; a release shifts it gradually (canary or linear). "
                      "All at once is the emergency path only (--emergency-reason and --ticket)")
    alarms = info.get("alarmConfiguration") or {}
    names = [a["name"] for a in alarms.get("alarms", [])]
    if not alarms.get("enabled") or not names:
        raise Refused(f"{app}/{group} watches no alarm: a failing canary would not roll back")
    if alarms.get("ignorePollAlarmFailure"):
        raise Refused(f"{app}/{group} ignores alarm poll failures: a deployment would go on blind")
    rollback = info.get("autoRollbackConfiguration") or {}
    missing = REQUIRED_ROLLBACK_EVENTS - set(rollback.get("events", [])) if rollback.get("enabled") else REQUIRED_ROLLBACK_EVENTS
    if missing:
        raise Refused(f"{app}/{group} does not roll back automatically on {', '.join(sorted(missing))}")
    ours = canary_alarm_name(function, alias)
    if ours not in names:
        raise Refused(f"{app}/{group} does not watch {ours}, the alarm on the new version only; add it to the group's alarms")
    others = [n for n in names if n != ours]  # (DescribeAlarms without names lists every alarm of the account)
    for alarm in cw.describe_alarms(AlarmNames=others).get("MetricAlarms", []) if others else []:
        dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        if alarm.get("Namespace") == "AWS/Lambda" and dims.get("FunctionName") == function and "ExecutedVersion" not in dims:
            raise Refused(f"alarm {alarm['AlarmName']} watches {function} across versions: errors of the old version would roll "
                          "the canary back; watch ExecutedVersion (the new version) instead")
    pcs = lam.list_provisioned_concurrency_configs(FunctionName=function).get("ProvisionedConcurrencyConfigs", [])
    for pc in pcs:
        qualifier = pc.get("FunctionArn", "").rsplit(":", 1)[-1]
        if qualifier.isdigit():
            raise Refused(f"provisioned concurrency is on version {qualifier} of {function}; during a canary the new version "
                          f"gets none. Configure it on the alias {alias}")
    return config, info


def put_canary_alarm(cw: Any, function: str, alias: str, version: str) -> str:
    """The group's alarm, pointed at the new version's errors through the alias."""
    name = canary_alarm_name(function, alias)
    cw.put_metric_alarm(
        AlarmName=name, AlarmDescription=f"Errors of {function} version {version} behind {alias} (CodeDeploy rolls back on it)",
        Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60, EvaluationPeriods=1, DatapointsToAlarm=1,
        Threshold=0, ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
        Dimensions=[{"Name": "FunctionName", "Value": function}, {"Name": "Resource", "Value": f"{function}:{alias}"},
                    {"Name": "ExecutedVersion", "Value": version}])
    return name


def publish(lam: Any, function: str, release: Release) -> str:
    code = lam.update_function_code(FunctionName=function, S3Bucket=release.signed_bucket, S3Key=release.signed_key)
    lam.get_waiter("function_updated_v2").wait(FunctionName=function)
    return lam.publish_version(FunctionName=function, CodeSha256=code["CodeSha256"],
                               Description=f"signing job {release.job_id}")["Version"]


def appspec(function: str, alias: str, current: str, target: str, hooks: dict[str, str]) -> dict:
    spec: dict[str, Any] = {"version": 0.0, "Resources": [{function: {"Type": "AWS::Lambda::Function", "Properties": {
        "Name": function, "Alias": alias, "CurrentVersion": current, "TargetVersion": target}}}]}
    if hooks:
        spec["Hooks"] = [{k: v} for k, v in hooks.items()]
    return spec


def start_deployment(cd: Any, app: str, group: str, spec: dict, config: str, description: str) -> str:
    content = json.dumps(spec)
    return cd.create_deployment(
        applicationName=app, deploymentGroupName=group, deploymentConfigName=config, description=description[:100],
        revision={"revisionType": "AppSpecContent",
                  "appSpecContent": {"content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()}})["deploymentId"]


def wait_deployment(cd: Any, deployment_id: str, sleep: Callable[[float], None] | None = None, attempts: int = 720,
                    delay: float = 10.0) -> dict:
    for _ in range(attempts):
        info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
        if info["status"] in ("Succeeded", "Failed", "Stopped"):
            return info
        (sleep or pause)(delay)
    raise Refused(f"deployment {deployment_id} did not finish after {attempts} checks; see the CodeDeploy console")


def deploy(client: Client, release: Release, function: str, alias: str, app: str, group: str, *,
           hooks: dict[str, str] | None = None, config: str | None = None, emergency: Emergency | None = None,
           sleep: Callable[[float], None] | None = None) -> Outcome:
    """Verify, check the release path, publish, point the canary alarm at the new version,
    deploy through CodeDeploy and wait. Refused before any change when a check fails."""
    steps = []
    verify(client, release, function)
    steps.append("verified signature")
    config_name, _ = check_release_path(client, function, alias, app, group, config, emergency)
    steps.append(f"release path checked ({config_name})")
    lam, cd = client("lambda"), client("codedeploy")
    current = lam.get_alias(FunctionName=function, Name=alias)["FunctionVersion"]
    target = publish(lam, function, release)
    steps.append(f"published version {target}")
    put_canary_alarm(client("cloudwatch"), function, alias, target)
    steps.append(f"alarm on version {target}")
    description = (f"EMERGENCY {emergency.ticket}: {emergency.reason}" if emergency else f"signing job {release.job_id}")
    dep = start_deployment(cd, app, group, appspec(function, alias, current, target, hooks or {}), config_name, description)
    steps.append(f"deployment {dep} started")
    info = wait_deployment(cd, dep, sleep)
    detail = (info.get("errorInformation") or {}).get("message", "")
    if info.get("rollbackInfo"):
        detail = f"{detail} (rolled back: {info['rollbackInfo'].get('rollbackMessage', '')})".strip()
    return Outcome(function, alias, current, target, dep, info["status"], detail, steps)


def rollback(client: Client, function: str, alias: str, app: str, group: str, to_version: str | None,
             sleep: Callable[[float], None] | None = None) -> Outcome:
    """Manual rollback: stop a deployment in flight (CodeDeploy moves the alias back), or
    shift the alias to ``to_version`` all at once through CodeDeploy (a version that was
    verified and published before)."""
    cd, lam = client("codedeploy"), client("lambda")
    current = lam.get_alias(FunctionName=function, Name=alias)["FunctionVersion"]
    running = cd.list_deployments(applicationName=app, deploymentGroupName=group, includeOnlyStatuses=IN_FLIGHT).get("deployments", [])
    if running:
        for dep in running:
            cd.stop_deployment(deploymentId=dep, autoRollbackEnabled=True)
        after = lam.get_alias(FunctionName=function, Name=alias)["FunctionVersion"]
        return Outcome(function, alias, current, after, running[0], "Stopped", f"stopped {', '.join(running)} with rollback")
    if not to_version:
        raise Refused("no deployment is in flight: name the version to return to (--to-version)")
    lam.get_function(FunctionName=function, Qualifier=to_version)  # it must exist
    dep = start_deployment(cd, app, group, appspec(function, alias, current, to_version, {}), ALL_AT_ONCE,
                           f"manual rollback to version {to_version}")
    info = wait_deployment(cd, dep, sleep)
    return Outcome(function, alias, current, to_version, dep, info["status"])
