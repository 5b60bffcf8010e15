"""Small fakes for what moto 5.2.5 lacks on the release path; everything else is moto.

- :class:`FakeSigner`: moto's Signer keeps signing profiles (used here) but has no
  ``StartSigningJob``. The fake starts a job on an object version that must exist in moto's S3,
  writes the "signed" object (the same bytes; real Signer embeds a signature we cannot make)
  under the destination prefix, reports the job InProgress once and then Succeeded (or Failed),
  and can revoke a signature.
- :class:`FakeLambda`: moto's Lambda with three additions: the function's code signing config
  (moto implements no code signing configs), provisioned concurrency configs (not implemented)
  and ``Invoke`` of a version (moto needs Docker for it): the version answers healthy or with a
  ``FunctionError`` as the test says.
- :class:`FakeCodeDeploy`: moto's CodeDeploy drops a group's alarms and never progresses a
  deployment, and has no ``StopDeployment``. The fake keeps groups as given, knows the Lambda
  deployment configs, and runs a deployment one step per ``GetDeployment`` call on moto's
  Lambda alias: BeforeAllowTraffic hook, shift the canary (or each linear) weight, check the
  group's alarms in moto's CloudWatch, shift everything, AfterAllowTraffic hook. An alarm in
  ALARM or a failed hook moves the alias back to the current version (status Stopped or
  Failed, with ``rollbackInfo``), as CodeDeploy's automatic rollback does.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any, Callable

from botocore.exceptions import ClientError

CONFIGS = {
    "CodeDeployDefault.LambdaCanary10Percent5Minutes": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}},
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}},
    "CodeDeployDefault.LambdaAllAtOnce": {"type": "AllAtOnce"},
}


def error(code: str, message: str, op: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, op)


class Delegate:
    def __init__(self, real: Any):
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class FakeSigner(Delegate):
    def __init__(self, real_signer: Any, s3: Any, fail: bool = False):
        super().__init__(real_signer)
        self.s3, self.fail, self.jobs, self.polls = s3, fail, {}, {}

    def start_signing_job(self, source, destination, profileName, **_):
        profile = self._real.get_signing_profile(profileName=profileName)
        src = source["s3"]
        try:
            body = self.s3.get_object(Bucket=src["bucketName"], Key=src["key"], VersionId=src["version"])["Body"].read()
        except ClientError as exc:
            raise error("ValidationException", f"source object version not found: {exc}", "StartSigningJob") from None
        job_id = str(uuid.uuid4())
        dst = destination["s3"]
        key = f"{dst.get('prefix', '')}{job_id}.zip"
        self.s3.put_object(Bucket=dst["bucketName"], Key=key, Body=body)
        self.jobs[job_id] = {
            "jobId": job_id, "source": {"s3": dict(src)}, "profileName": profileName, "profileVersion": profile["profileVersion"],
            "platformId": profile["platformId"], "jobOwner": profile["arn"].split(":")[4], "status": "InProgress",
            "signedObject": {"s3": {"bucketName": dst["bucketName"], "key": key}},
            "signatureExpiresAt": datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365)}
        return {"jobId": job_id, "jobOwner": self.jobs[job_id]["jobOwner"]}

    def describe_signing_job(self, jobId):
        job = self.jobs.get(jobId)
        if job is None:
            raise error("ResourceNotFoundException", f"no signing job {jobId}", "DescribeSigningJob")
        self.polls[jobId] = self.polls.get(jobId, 0) + 1
        if job["status"] == "InProgress" and self.polls[jobId] > 1:
            job["status"] = "Failed" if self.fail else "Succeeded"
            if self.fail:
                job["statusReason"] = "the fake was told to fail"
        return dict(job)

    def revoke_signature(self, jobId, reason, **_):
        self.jobs[jobId]["revocationRecord"] = {"reason": reason, "revokedBy": "test"}


class FakeLambda(Delegate):
    def __init__(self, real_lambda: Any):
        super().__init__(real_lambda)
        self.csc: dict[str, dict] = {}  # function -> code signing config
        self.provisioned: dict[str, list[dict]] = {}
        self.unhealthy: set[str] = set()  # "function:version" that answer with a FunctionError
        self.invocations: list[tuple[str, str]] = []

    def get_function_code_signing_config(self, FunctionName):
        cfg = self.csc.get(FunctionName)
        return {"FunctionName": FunctionName, **({"CodeSigningConfigArn": cfg["CodeSigningConfigArn"]} if cfg else {})}

    def get_code_signing_config(self, CodeSigningConfigArn):
        for cfg in self.csc.values():
            if cfg["CodeSigningConfigArn"] == CodeSigningConfigArn:
                return {"CodeSigningConfig": cfg}
        raise error("ResourceNotFoundException", CodeSigningConfigArn, "GetCodeSigningConfig")

    def list_provisioned_concurrency_configs(self, FunctionName):
        return {"ProvisionedConcurrencyConfigs": self.provisioned.get(FunctionName, [])}

    def invoke(self, FunctionName, Qualifier, Payload=b"{}", **_):
        self.invocations.append((FunctionName, Qualifier))
        bad = f"{FunctionName}:{Qualifier}" in self.unhealthy
        return {"StatusCode": 200, **({"FunctionError": "Unhandled"} if bad else {}), "ExecutedVersion": Qualifier}


class FakeCodeDeploy:
    def __init__(self, lam: Any, cw: Any, hooks: dict[str, Callable[[dict], Any]] | None = None):
        self.lam, self.cw, self.hooks = lam, cw, hooks or {}
        self.groups: dict[tuple[str, str], dict] = {}
        self.deployments: dict[str, dict] = {}
        self.hook_status: dict[str, str] = {}
        self.alias_history: list[tuple[str, str, dict]] = []  # (deployment, step, alias routing)
        self.on_step: Callable[[str, str], None] | None = None
        self._busy = False

    def get_deployment_group(self, applicationName, deploymentGroupName):
        group = self.groups.get((applicationName, deploymentGroupName))
        if group is None:
            raise error("DeploymentGroupDoesNotExistException", deploymentGroupName, "GetDeploymentGroup")
        return {"deploymentGroupInfo": group}

    def get_deployment_config(self, deploymentConfigName):
        cfg = CONFIGS.get(deploymentConfigName)
        if cfg is None:
            raise error("DeploymentConfigDoesNotExistException", deploymentConfigName, "GetDeploymentConfig")
        return {"deploymentConfigInfo": {"deploymentConfigName": deploymentConfigName, "computePlatform": "Lambda",
                                         "trafficRoutingConfig": cfg}}

    def create_deployment(self, applicationName, deploymentGroupName, revision, deploymentConfigName=None, description="", **_):
        group = self.get_deployment_group(applicationName, deploymentGroupName)["deploymentGroupInfo"]
        spec = json.loads(revision["appSpecContent"]["content"])
        (props,) = [r[n]["Properties"] for r in spec["Resources"] for n in r]
        alias = self.lam.get_alias(FunctionName=props["Name"], Name=props["Alias"])
        if alias["FunctionVersion"] != str(props["CurrentVersion"]):
            raise error("InvalidInputException", "CurrentVersion does not match the alias", "CreateDeployment")
        self.lam.get_function(FunctionName=props["Name"], Qualifier=str(props["TargetVersion"]))
        config = deploymentConfigName or group.get("deploymentConfigName")
        plan = [("hook", h) for hook in spec.get("Hooks", []) for h in hook if h == "BeforeAllowTraffic"]
        routing = CONFIGS[config]
        if routing["type"] == "TimeBasedCanary":
            plan += [("shift", routing["timeBasedCanary"]["canaryPercentage"]), ("bake", None)]
        elif routing["type"] == "TimeBasedLinear":
            step = routing["timeBasedLinear"]["linearPercentage"]
            plan += [item for pct in range(step, 100, step) for item in (("shift", pct), ("bake", None))]
        plan += [("shift", 100), ("bake", None)]
        plan += [("hook", h) for hook in spec.get("Hooks", []) for h in hook if h == "AfterAllowTraffic"]
        dep = f"d-{uuid.uuid4().hex[:9].upper()}"
        self.deployments[dep] = {"deploymentId": dep, "applicationName": applicationName, "deploymentGroupName": deploymentGroupName,
                                 "deploymentConfigName": config, "description": description, "status": "InProgress",
                                 "revision": revision, "_props": props, "_plan": plan, "_spec": spec}
        return {"deploymentId": dep}

    def _public(self, d: dict) -> dict:
        return {k: v for k, v in d.items() if not k.startswith("_")}

    def _route(self, d: dict, pct: int, step: str) -> None:
        p = d["_props"]
        if pct >= 100:
            self.lam.update_alias(FunctionName=p["Name"], Name=p["Alias"], FunctionVersion=str(p["TargetVersion"]),
                                  RoutingConfig={"AdditionalVersionWeights": {}})
        else:
            self.lam.update_alias(FunctionName=p["Name"], Name=p["Alias"], FunctionVersion=str(p["CurrentVersion"]),
                                  RoutingConfig={"AdditionalVersionWeights": {str(p["TargetVersion"]): pct / 100}})
        a = self.lam.get_alias(FunctionName=p["Name"], Name=p["Alias"])
        self.alias_history.append((d["deploymentId"], step, {"FunctionVersion": a["FunctionVersion"], **a.get("RoutingConfig", {})}))

    def _roll_back(self, d: dict, status: str, code: str, message: str) -> None:
        p = d["_props"]
        self.lam.update_alias(FunctionName=p["Name"], Name=p["Alias"], FunctionVersion=str(p["CurrentVersion"]),
                              RoutingConfig={"AdditionalVersionWeights": {}})
        self.alias_history.append((d["deploymentId"], "rollback", {"FunctionVersion": str(p["CurrentVersion"])}))
        d.update(status=status, errorInformation={"code": code, "message": message},
                 rollbackInfo={"rollbackMessage": f"rolled back to version {p['CurrentVersion']}"})

    def _advance(self, d: dict) -> None:
        if d["status"] != "InProgress":
            return
        if not d["_plan"]:
            d["status"] = "Succeeded"
            return
        kind, arg = d["_plan"].pop(0)
        group = self.groups[(d["applicationName"], d["deploymentGroupName"])]
        if kind == "shift":
            self._route(d, arg, f"shift {arg}%")
        elif kind == "bake":
            names = [a["name"] for a in group.get("alarmConfiguration", {}).get("alarms", [])]
            firing = [a["AlarmName"] for a in self.cw.describe_alarms(AlarmNames=names)["MetricAlarms"] if a["StateValue"] == "ALARM"]
            if firing:
                self._roll_back(d, "Stopped", "ALARM_ACTIVE", f"alarms in ALARM: {', '.join(firing)}")
                return
        elif kind == "hook":
            hook_id = str(uuid.uuid4())
            fn = d["_spec"]["Hooks"][[list(h)[0] for h in d["_spec"]["Hooks"]].index(arg)][arg]
            self.hooks[fn]({"DeploymentId": d["deploymentId"], "LifecycleEventHookExecutionId": hook_id})
            if self.hook_status.get(hook_id) != "Succeeded":
                self._roll_back(d, "Failed", "HOOK_EXECUTION_FAILURE", f"{arg} hook {fn} reported {self.hook_status.get(hook_id)}")
                return
        if self.on_step:
            self.on_step(d["deploymentId"], f"{kind} {arg}")
        if not d["_plan"]:
            d["status"] = "Succeeded"

    def get_deployment(self, deploymentId):
        d = self.deployments[deploymentId]
        if not self._busy:  # a hook reading its deployment does not move it on
            self._busy = True
            try:
                self._advance(d)
            finally:
                self._busy = False
        return {"deploymentInfo": self._public(d)}

    def put_lifecycle_event_hook_execution_status(self, deploymentId, lifecycleEventHookExecutionId, status):
        self.hook_status[lifecycleEventHookExecutionId] = status
        return {"lifecycleEventHookExecutionId": lifecycleEventHookExecutionId}

    def stop_deployment(self, deploymentId, autoRollbackEnabled=False):
        d = self.deployments[deploymentId]
        if d["status"] == "InProgress":
            if autoRollbackEnabled:
                self._roll_back(d, "Stopped", "MANUAL_STOP", "stopped by request")
            else:
                d["status"] = "Stopped"
        return {"status": "Succeeded"}

    def list_deployments(self, applicationName, deploymentGroupName, includeOnlyStatuses=None):
        return {"deployments": [k for k, d in self.deployments.items() if d["applicationName"] == applicationName
                                and d["deploymentGroupName"] == deploymentGroupName
                                and (not includeOnlyStatuses or d["status"] in includeOnlyStatuses)]}
