"""ASFF findings from audit and scan results: valid for every control and status, stable ids,
fail-closed status mapping, cut to ASFF's limits; our validator catches what botocore does not."""

from __future__ import annotations

import dataclasses
import datetime
import re

import botocore.session
import pytest
from botocore.validate import ParamValidator

from prr_policies import asff
from prr_policies.audit import Finding as AuditFinding
from prr_policies.audit import Report
from prr_policies.catalog import catalog
from prr_policies.errors import InputError
from prr_policies.result import Result, Status
from prr_policies.scan import Finding as ScanFinding

CTX = asff.Context("123456789012", "eu-west-1", datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))
FN = "arn:aws:lambda:eu-west-1:123456789012:function:app-orders-api"
MODEL = botocore.session.get_session().get_service_model("securityhub")


def report(*rows) -> Report:
    return Report(findings=[AuditFinding(c, t, rid, Result(c, res, s, why)) for c, t, rid, res, s, why in rows])


def botocore_problems(findings):
    """What botocore itself checks before sending (required members and types only)."""
    shape = MODEL.operation_model("BatchImportFindings").input_shape
    return ParamValidator().validate({"Findings": findings}, shape).generate_report()


def test_every_control_and_status_gives_a_valid_finding():
    rows = [(c.id, "AWS::Lambda::Function", "app-orders-api", f"{FN}-{s.value}", s, f"why {s.value}") for c in catalog().controls for s in Status]
    found = asff.from_audit(report(*rows), CTX)
    assert len(found) == len(rows)
    assert asff.validate_all(found) == []
    assert botocore_problems(found) == ""


def test_status_mapping_fails_closed_and_severity_follows_the_control():
    c = catalog().control("PRR-LAMBDA-005")
    got = {f["ProductFields"]["prr/Status"]: f for f in asff.from_audit(report(
        *[(c.id, "AWS::Lambda::Function", "fn", FN + s.value, s, "the reason") for s in Status]), CTX)}
    assert {k: v["Compliance"]["Status"] for k, v in got.items()} == {
        "PASS": "PASSED", "FAIL": "FAILED", "UNKNOWN": "FAILED", "NOT_APPLICABLE": "NOT_AVAILABLE", "WARNING": "WARNING"}
    assert {k: v["Severity"]["Label"] for k, v in got.items()} == {
        "PASS": "INFORMATIONAL", "FAIL": c.severity, "UNKNOWN": c.severity, "NOT_APPLICABLE": "INFORMATIONAL", "WARNING": "LOW"}
    assert got["WARNING"]["Description"].startswith("WARNING: the reason")  # issue 13
    assert got["UNKNOWN"]["Description"].startswith("UNKNOWN: the reason")
    assert all(v["Severity"]["Original"] == c.severity for v in got.values())


def test_content_comes_from_the_catalog_and_the_resource():
    c = catalog().control("PRR-LAMBDA-001")
    f = asff.from_audit(report((c.id, "AWS::Lambda::Function", "app-orders-api", FN, Status.FAIL, "PassThrough")), CTX)[0]
    assert f["Resources"] == [{"Type": "AwsLambdaFunction", "Id": FN, "Partition": "aws", "Region": "eu-west-1"}]
    assert f["GeneratorId"] == "prr-policies/PRR-LAMBDA-001" and f["Compliance"]["SecurityControlId"] == c.id
    assert f["Compliance"]["RelatedRequirements"][:1] == ["PRR 1.5"]
    assert "ISO/IEC 27001:2022 A.8.16" in f["Compliance"]["RelatedRequirements"]
    assert 'mode = "Active"' in f["Remediation"]["Recommendation"]["Text"]
    assert f["ProductArn"] == "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
    assert f["CreatedAt"] == "2026-01-02T03:04:05.000Z"


def test_resources_without_an_arn_are_other_with_details():
    rows = [("PRR-CODEDEPLOY-001", "AWS::CodeDeploy::DeploymentGroup", "dg-id", "app-orders/app-orders-api", Status.FAIL, "x"),
            ("PRR-LAMBDA-013", "AWS::Lambda::CodeSigningConfig", "<all>", "<all code signing configs>", Status.UNKNOWN, "refused")]
    dg, csc = asff.from_audit(report(*rows), CTX)
    assert dg["Resources"][0]["Id"] == "arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:app-orders/app-orders-api"
    assert csc["Resources"][0]["Type"] == "Other"
    assert csc["Resources"][0]["Details"]["Other"]["CloudFormationType"] == "AWS::Lambda::CodeSigningConfig"
    china = asff.Context("123456789012", "cn-north-1")
    assert china.product_arn.startswith("arn:aws-cn:securityhub:")


def test_ids_are_stable_across_runs_and_distinct_across_resources():
    rows = [("PRR-LAMBDA-001", "AWS::Lambda::Function", n, f"{FN}-{n}", Status.FAIL, "r") for n in ("a", "b")]
    later = dataclasses.replace(CTX, now=CTX.now + datetime.timedelta(days=3))
    first, second = asff.from_audit(report(*rows), CTX), asff.from_audit(report(*rows), later)
    assert [f["Id"] for f in first] == [f["Id"] for f in second]
    assert first[0]["Id"] != first[1]["Id"] and first[0]["UpdatedAt"] != second[0]["UpdatedAt"]
    other_region = asff.Context("123456789012", "eu-central-1", CTX.now)
    assert asff.from_audit(report(rows[0]), other_region)[0]["Id"] != first[0]["Id"]


def test_long_values_are_cut_to_asff_limits_and_long_ids_stay_unique():
    long_a, long_b = FN + "x" * 600 + "a", FN + "x" * 600 + "b"
    rows = [("PRR-LAMBDA-001", "AWS::Lambda::Function", "fn", r, Status.FAIL, "because " * 500) for r in (long_a, long_b)]
    a, b = asff.from_audit(report(*rows), CTX)
    assert asff.validate_all([a, b]) == []
    assert len(a["Id"]) <= 512 and a["Id"] != b["Id"]
    assert len(a["Description"]) == 1024 and a["Description"].endswith("...")
    many = dataclasses.replace(catalog().control("PRR-LAMBDA-001"),
                               compliance=dataclasses.replace(catalog().control("PRR-LAMBDA-001").compliance,
                                                              soc2_tsc=tuple(f"CC{i}" for i in range(40))))
    assert len(asff.related_requirements(many)) == 32


def test_scan_findings_keep_the_terraform_address_and_skip_builtin_checks():
    found = [ScanFinding("CKV_PRR_1", "PRR-LAMBDA-001", "aws_lambda_function.api", "/main.tf", "terraform", Status.FAIL, "PassThrough"),
             ScanFinding("CKV_AWS_50", None, "aws_lambda_function.api", "/main.tf", "terraform", Status.FAIL, "built-in")]
    (f,) = asff.from_scan(found, CTX)
    assert f["Resources"][0]["Id"] == "terraform:/main.tf:aws_lambda_function.api"
    assert f["Resources"][0]["Details"]["Other"]["TerraformAddress"] == "aws_lambda_function.api"
    assert f["Compliance"]["Status"] == "FAILED" and asff.validate(f) == []


def test_bad_context_and_unknown_control_are_input_errors():
    with pytest.raises(InputError, match="12-digit"):
        asff.Context("1234", "eu-west-1")
    with pytest.raises(InputError, match="Region"):
        asff.Context("123456789012", "Ireland")
    with pytest.raises(InputError, match="PRR-NOPE-001"):
        asff.build(CTX, "PRR-NOPE-001", Status.FAIL, "x", [], ("x",), "audit")


def good():
    return asff.from_audit(report(("PRR-LAMBDA-001", "AWS::Lambda::Function", "fn", FN, Status.FAIL, "r")), CTX)[0]


@pytest.mark.parametrize("change, problem", [
    (lambda f: f.pop("Title"), "Title: required"),
    (lambda f: f.update(Title="t" * 257), "Title: length 257 is outside 1..256"),
    (lambda f: f.update(Description=" "), "Description: must not be blank"),
    (lambda f: f.update(Id="i" * 513), "Id: length 513"),
    (lambda f: f.update(AwsAccountId="12345"), "AwsAccountId: "),
    (lambda f: f.update(SchemaVersion="2020-01-01"), "SchemaVersion: must be 2018-10-08"),
    (lambda f: f["Severity"].update(Label="SEVERE"), "Severity.Label: 'SEVERE' is not one of"),
    (lambda f: f["Compliance"].update(Status="BOGUS"), "Compliance.Status: 'BOGUS' is not one of"),
    (lambda f: f.update(RecordState="GONE"), "RecordState: 'GONE'"),
    (lambda f: f["Resources"][0].update(Partition="aws-eu"), "Resources[0].Partition: 'aws-eu'"),
    (lambda f: f["Resources"][0].update(Region="x" * 17), "Resources[0].Region: length 17"),
    (lambda f: f.update(Resources=f["Resources"] * 33), "Resources: 33 items, at most 32"),
    (lambda f: f.update(Resources=[]), "Resources: required"),
    (lambda f: f["Compliance"].update(RelatedRequirements=["r"] * 33), "Compliance.RelatedRequirements: 33 items"),
    (lambda f: f.update(Types=["Vulnerabilities/CVE"]), "Types[0]: 'Vulnerabilities/CVE' is not namespace"),
    (lambda f: f.update(Types=[asff.TYPE] * 51), "Types: 51 items, at most 50"),
    (lambda f: f.update(CreatedAt="2026-01-02 03:04:05"), "CreatedAt: '2026-01-02 03:04:05' is not an ASFF timestamp"),
    (lambda f: f.update(UpdatedAt="2026-01-02T03:04:05.1234567890Z"), "UpdatedAt: "),
    (lambda f: f["Remediation"]["Recommendation"].update(Text="t" * 513), "Remediation.Recommendation.Text: length 513"),
    (lambda f: f.update(ProductFields={f"k{i}": "v" for i in range(51)}), "ProductFields: 51 items"),
    (lambda f: f["ProductFields"].update({"k" * 129: "v"}), "ProductFields.kkk"),
    (lambda f: f["ProductFields"].update(big="v" * 2049), "ProductFields.big: a value"),
    (lambda f: f["Resources"][0].update(Details={"Other": {"blob": "x" * 250_000}}), "$: "),
])
def test_validator_catches_what_botocore_lets_through(change, problem):
    f = good()
    change(f)
    problems = asff.validate(f)
    assert any(p.startswith(problem) for p in problems), problems


def test_botocore_does_not_check_enums_or_lengths():
    """The reason for our validator: botocore's model passes these (and moto stores them)."""
    f = good()
    f["Compliance"]["Status"] = "BOGUS"
    f["Title"] = "t" * 300
    assert botocore_problems([f]) == "" and asff.validate(f)


def test_duplicate_ids_in_one_import_are_reported():
    f = good()
    assert asff.validate_all([f, dict(f)]) == [f"[1].Id: {f['Id']!r} repeats finding [0]"]


def test_our_limits_agree_with_the_botocore_model_documentation():
    """Our table against the lengths AWS documents in the service model (drift check)."""
    finding = MODEL.shape_for("AwsSecurityFinding")
    shapes = {"Severity": MODEL.shape_for("Severity"), "Resources[]": MODEL.shape_for("Resource"),
              "Remediation.Recommendation": MODEL.shape_for("Recommendation")}
    checked = 0
    for path, (low, high) in asff.STRING_LIMITS.items():
        parent, _, name = path.rpartition(".")
        if parent and parent not in shapes:
            continue
        shape = shapes[parent] if parent else finding
        member = shape.members.get(name)
        doc = re.sub("<[^>]+>", "", (member.documentation if member else "") or "")
        found = re.search(r"Maximum (?:length )?of (\d+)", doc) or re.search(r"Length Constraints: (\d+)\.", doc)
        if found:
            checked += 1
            assert int(found.group(1)) == high, path
    for path, most in asff.LIST_LIMITS.items():
        parent, _, name = path.rpartition(".")
        shape = MODEL.shape_for("Compliance") if parent == "Compliance" else finding
        doc = re.sub("<[^>]+>", "", shape.members[name].documentation or "")
        found = re.search(r"Maximum number of (\d+) items", doc) or re.search(r"up to (\d+) key-value pairs", doc)
        assert found and int(found.group(1)) == most, path
        checked += 1
    for path, allowed in asff.ENUMS.items():
        parent, _, name = path.rpartition(".")
        shape = {"": finding, "Severity": MODEL.shape_for("Severity"), "Compliance": MODEL.shape_for("Compliance"),
                 "Resources[]": MODEL.shape_for("Resource")}[parent]
        assert set(shape.members[name].enum) == allowed, path
    assert checked >= 12
