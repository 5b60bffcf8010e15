"""A CodeDeploy pre/post-traffic hook for Lambda deployments.

Deploy it as its own function (its role may ``lambda:InvokeFunction`` the target and
``codedeploy:PutLifecycleEventHookExecutionStatus``) and name it in the deploy step
(``--before-hook`` / ``--after-hook``). It reads the deployment's AppSpec for the function and
the new version, invokes that version (not the alias: traffic has not moved yet before, and
after it the alias may still be weighted) with ``$PRR_SMOKE_EVENT`` (JSON, default ``{}``),
and reports ``Succeeded`` only for a 200 answer without ``FunctionError``. Any exception is a
``Failed`` report: CodeDeploy then rolls back.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable


def target_of(cd: Any, deployment_id: str) -> tuple[str, str]:
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    spec = json.loads(info["revision"]["appSpecContent"]["content"])
    (props,) = [r[name]["Properties"] for r in spec["Resources"] for name in r]
    return props["Name"], str(props["TargetVersion"])


def run(cd: Any, lam: Any, event: dict, smoke_event: str = "{}") -> str:
    deployment_id, hook_id = event["DeploymentId"], event["LifecycleEventHookExecutionId"]
    status = "Failed"
    try:
        function, version = target_of(cd, deployment_id)
        resp = lam.invoke(FunctionName=function, Qualifier=version, Payload=smoke_event.encode())
        if resp.get("StatusCode") == 200 and not resp.get("FunctionError"):
            status = "Succeeded"
    except Exception as exc:  # noqa: BLE001 - every failure must reach CodeDeploy as Failed
        print(f"hook failed: {type(exc).__name__}: {exc}")
    cd.put_lifecycle_event_hook_execution_status(deploymentId=deployment_id, lifecycleEventHookExecutionId=hook_id, status=status)
    return status


def lambda_handler(event: dict, context: Any, client: Callable[[str], Any] | None = None) -> dict:
    if client is None:
        import boto3

        client = boto3.client
    return {"status": run(client("codedeploy"), client("lambda"), event, os.environ.get("PRR_SMOKE_EVENT", "{}"))}
