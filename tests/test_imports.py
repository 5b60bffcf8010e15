"""The evaluators stay light: importing them pulls in neither checkov nor boto3."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["prr_policies.controls", "prr_policies.catalog", "prr_policies.sources.terraform",
                                    "prr_policies.sources.config_item", "prr_policies.sources.live", "prr_policies.cli",
                                    "prr_policies.iam", "prr_policies.iam.collector", "prr_policies.guardrails"])
def test_import_does_not_load_checkov_or_boto3(module):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert module.split(".")[0] in imported
    assert not imported & {"checkov", "boto3", "botocore", "moto"}
