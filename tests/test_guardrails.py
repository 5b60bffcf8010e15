"""Guardrail generation: settings in, valid and size-bounded documents out, drift caught; lint."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from prr_policies import generate as gen
from prr_policies.cli import main
from prr_policies.guardrails import GuardrailError, generate
from prr_policies.guardrails.common import data
from prr_policies.guardrails.lint import lint_document, lint_files
from prr_policies.guardrails import scp
from prr_policies.guardrails.scp import SCP_MAX_CHARS, minified, pack
from prr_policies.iam import parse_policy
from prr_policies.settings import load_settings

from .conftest import EXAMPLE as EXAMPLE_DIR
from .conftest import ROOT

EXAMPLE = EXAMPLE_DIR / "prr.yaml"


@pytest.fixture(scope="module")
def settings():
    return load_settings(EXAMPLE)


@pytest.fixture(scope="module")
def artifacts(settings):
    return generate(settings)


def test_generate_check_passes_on_the_committed_files(monkeypatch, capsys):
    """From the repository root, with no settings named, --check finds every generated set by its manifest."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PRR_SETTINGS", raising=False)
    assert main(["generate", "--check"]) == 0
    assert "generated files match examples/orders/" in capsys.readouterr().out


def _example_copy(tmp_path):
    shutil.copytree(EXAMPLE_DIR, tmp_path / "orders", ignore=shutil.ignore_patterns("stack"))
    return tmp_path / "orders"


def test_check_reports_changed_and_stale_files(tmp_path, capsys):
    out = _example_copy(tmp_path)
    settings = str(out / "prr.yaml")
    assert main(["generate", "--settings", settings, "--check"]) == 0
    (out / "scp" / "prr-guardrails-1.json").write_text("{}")
    capsys.readouterr()
    assert main(["generate", "--settings", settings, "--check"]) == 1
    assert "scp/prr-guardrails-1.json" in capsys.readouterr().err
    assert main(["generate", "--settings", settings]) == 0  # ours (in the manifest): replaced
    assert gen.plan(out, gen.artifacts(load_settings(settings)), out / "prr.yaml").differ == []


def test_generate_never_touches_files_it_did_not_write(tmp_path, capsys):
    """Issue 9: generate deleted any JSON/YAML in its folders that it had not written."""
    out = _example_copy(tmp_path)
    settings = str(out / "prr.yaml")
    mine = out / "roles" / "my-own-role.json"
    mine.write_text('{"mine": true}')
    assert main(["generate", "--settings", settings]) == 0
    assert main(["generate", "--settings", settings, "--check"]) == 0  # a user's file is not drift
    assert mine.read_text() == '{"mine": true}'


def test_generate_refuses_to_overwrite_a_file_it_did_not_write(tmp_path, capsys):
    out = _example_copy(tmp_path)
    (out / gen.MANIFEST).unlink()  # as if the files were the user's own
    users = out / "scp" / "prr-guardrails-1.json"
    users.write_text('{"the": "user\'s own"}')
    capsys.readouterr()
    assert main(["generate", "--settings", str(out / "prr.yaml")]) == 2
    err = capsys.readouterr().err
    assert "refusing to overwrite" in err and "scp/prr-guardrails-1.json" in err
    assert users.read_text() == '{"the": "user\'s own"}'
    assert not (out / gen.MANIFEST).exists()  # nothing written at all


def test_generate_removes_only_what_it_wrote_before(tmp_path, settings):
    out = tmp_path / "set"
    first = dict(gen.artifacts(settings), **{"roles/app-orders-old.json": "{}\n"})
    gen.write(out, first, EXAMPLE)
    (out / "roles" / "keep.json").write_text("{}")
    plan = gen.write(out, gen.artifacts(settings), EXAMPLE)
    assert plan.remove == ["roles/app-orders-old.json"]
    assert not (out / "roles" / "app-orders-old.json").exists() and (out / "roles" / "keep.json").exists()


def test_generate_keeps_an_edited_file_it_no_longer_generates(tmp_path, settings):
    out = tmp_path / "set"
    gen.write(out, dict(gen.artifacts(settings), **{"roles/app-orders-old.json": "{}\n"}), EXAMPLE)
    (out / "roles" / "app-orders-old.json").write_text('{"edited": 1}')
    with pytest.raises(gen.OverwriteRefused, match="edited since"):
        gen.write(out, gen.artifacts(settings), EXAMPLE)
    assert (out / "roles" / "app-orders-old.json").read_text() == '{"edited": 1}'


def test_adopts_identical_files_written_before_the_manifest(tmp_path, settings):
    out = _example_copy(tmp_path)
    (out / gen.MANIFEST).unlink()
    plan = gen.write(out, gen.artifacts(settings), out / "prr.yaml")
    assert plan.write == [] and plan.manifest_stale and (out / gen.MANIFEST).is_file()


def test_generation_is_deterministic(settings, artifacts):
    assert generate(settings) == artifacts


def test_scps_are_minified_within_limits_and_valid(settings, artifacts):
    scps = {p: t for p, t in artifacts.items() if p.startswith("scp/")}
    assert 1 <= len(scps) <= settings.guardrails.scp_max_policies_per_target - 1
    for path, text in scps.items():
        doc = json.loads(text)
        assert text == minified(doc), path
        assert len(text) <= SCP_MAX_CHARS, (path, len(text))
        parse_policy(doc, "scp", source=path)
        assert all(s["Effect"] == "Deny" for s in doc["Statement"])
        assert all(s["Sid"].isalnum() for s in doc["Statement"])


def test_rcps_are_minified_within_limits_and_valid(settings, artifacts):
    """Issue 12: RCPs are generated and packed like SCPs (5,120 characters, at most 5 per target
    with RCPFullAWSAccess); every statement is a Deny for every principal, and lint-clean."""
    rcps = {p: t for p, t in artifacts.items() if p.startswith("rcp/")}
    assert 1 <= len(rcps) <= settings.guardrails.rcp_max_policies_per_target - 1
    sids = set()
    for path, text in rcps.items():
        doc = json.loads(text)
        assert text == minified(doc) and len(text) <= SCP_MAX_CHARS, path
        parse_policy(doc, "rcp", source=path)
        assert all(s["Effect"] == "Deny" and s["Principal"] == "*" and s["Sid"].isalnum() for s in doc["Statement"])
        assert lint_document(text, path, "rcp") == []
        sids |= {s["Sid"] for s in doc["Statement"]}
    assert sids == {"PrrRcpAppRoleTrust", "PrrRcpDataPerimeter", "PrrRcpServiceSources"}


def test_rcp_perimeter_covers_the_settings(settings, artifacts):
    g = settings.guardrails
    stmts = {s["Sid"]: s for p, t in artifacts.items() if p.startswith("rcp/") for s in json.loads(t)["Statement"]}
    perimeter = stmts["PrrRcpDataPerimeter"]
    assert perimeter["Action"] == [f"{svc}:*" for svc in g.perimeter.services]
    assert perimeter["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalOrgID"] == g.organization_id
    assert stmts["PrrRcpAppRoleTrust"]["Resource"] == f"arn:aws:iam::*:role/{g.application.role_prefix}*"
    assert {"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity", "sts:AssumeRoleWithWebIdentity"} <= set(stmts["PrrRcpAppRoleTrust"]["Action"])


def test_every_deny_exempts_break_glass(settings, artifacts):
    glass = list(settings.guardrails.break_glass_principals)
    for path, text in artifacts.items():
        if path.startswith("scp/"):
            for s in json.loads(text)["Statement"]:
                exempt = s["Condition"]["ArnNotLike"]["aws:PrincipalARN"]
                assert set(glass) <= set(exempt), s["Sid"]


@pytest.mark.parametrize("kind_of", [("boundaries/", "boundary"), ("roles/", "identity")])
def test_boundaries_and_roles_are_valid_and_lint_clean(artifacts, kind_of):
    prefix, kind = kind_of
    docs = {p: t for p, t in artifacts.items() if p.startswith(prefix)}
    assert docs
    for path, text in docs.items():
        parse_policy(text, kind, source=path)
        assert not [f for f in lint_document(text, path, "boundary" if kind == "boundary" else "managed") if f.severity == "error"]


def test_scps_lint_clean(artifacts):
    for path, text in artifacts.items():
        if path.startswith("scp/"):
            assert lint_document(text, path, "scp") == []


def test_tagging_actions_take_tag_condition_keys():
    """Every create/tag action in data.yaml accepts aws:RequestTag, every untag action aws:TagKeys."""
    from prr_policies.guardrails.lint import _action_keys, _template_match

    for svc, acts in data()["tagging"].items():
        for group, key in (("create", "aws:RequestTag/x"), ("tag", "aws:RequestTag/x"), ("untag", "aws:TagKeys")):
            for a in acts[group]:
                service, name = a.split(":")
                assert any(_template_match(key, t) for t in _action_keys(service, name)), a


def test_region_guardrail_differs_from_awss_example_only_where_documented():
    """Issue 12: every action in our global list and not in AWS's published example (or the
    reverse) has its reason in data.yaml, and no reason is left for an action that agrees."""
    ours, theirs = set(data()["global_actions"]), set(data()["aws_region_example"])
    assert ours ^ theirs == set(data()["region_differences"])
    assert all(len(why) > 40 for why in data()["region_differences"].values())


def test_readme_shows_every_region_difference():
    from prr_policies.docs import region_differences

    table = region_differences()
    assert table in (ROOT / "README.md").read_text()
    assert all(f"| `{action}` |" in table for action in data()["region_differences"])
    assert "| `kms:*` | exempt | denied |" in table and "| `sso:*` | denied | exempt |" in table


def test_global_action_list_names_real_actions():
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": data()["global_actions"], "Resource": "*"}]}
    assert lint_document(doc, "data.yaml", "scp") == []


def _settings_with(tmp_path, **guardrails):
    base = yaml.safe_load(EXAMPLE.read_text())
    base["guardrails"].update(guardrails)
    f = tmp_path / "prr.yaml"
    f.write_text(yaml.safe_dump(base))
    return f


@pytest.mark.parametrize("change, path, reason", [
    ({"allowed_regions": []}, "guardrails.allowed_regions", "set the Regions"),
    ({"break_glass_principals": []}, "guardrails.break_glass_principals", "break-glass"),
    ({"pipeline_roles": []}, "guardrails.pipeline_roles", "deploy role"),
    ({"code_signing": {"allowed_configs": [], "exempt_function_names": []}}, "guardrails.code_signing.allowed_configs", "approved code signing"),
    ({"allowed_regions": ["Europe"]}, "guardrails.allowed_regions[0]", "not a Region"),
    ({"break_glass_principals": ["BreakGlass"]}, "guardrails.break_glass_principals[0]", "not a role ARN"),
    ({"application": {"name": "orders", "boundary_policy": "app-boundary"}}, "guardrails.application.boundary_policy", "must not start with"),
    ({"scp_max_policies_per_target": 9}, "guardrails.scp_max_policies_per_target", "1 to 5"),
    # issue 12
    ({"organization_id": None}, "guardrails.organization_id", "organization id"),
    ({"organization_id": "org-1"}, "guardrails.organization_id", "not an organization id"),
    ({"rcp_max_policies_per_target": 6}, "guardrails.rcp_max_policies_per_target", "RCPFullAWSAccess included"),
    ({"code_signing": {"allowed_configs": ["arn:aws:lambda:*:*:code-signing-config:csc-0a1b2c3d4e5f67890"], "exempt_function_names": []}},
     "guardrails.code_signing.allowed_configs[0]", "pinned to its Region and account"),
    ({"code_signing": {"allowed_configs": ["arn:aws:lambda:eu-west-1:111122223333:code-signing-config:csc-0a1b2c3d4e5f67890"],
                       "exempt_function_names": ["app-img-*"]}}, "guardrails.code_signing.exempt_function_names[0]", "exact function name"),
    ({"code_signing": {"allowed_configs": ["arn:aws:lambda:eu-west-1:111122223333:code-signing-config:csc-0a1b2c3d4e5f67890"],
                       "exempt_function_names": [], "layer_publishers": ["aws"]}}, "guardrails.code_signing.layer_publishers[0]", "12-digit"),
    ({"security_roles": ["arn:aws:iam::*:role/*"]}, "guardrails.security_roles[0]", "names every role"),
    ({"pipeline_roles": ["app-deployer"]}, "guardrails.pipeline_roles[0]", "starts with application.role_prefix"),
    ({"break_glass_principals": ["arn:aws:iam::*:role/app-glass"]}, "guardrails.break_glass_principals[0]", "only Lambda and CodeDeploy"),
    ({"break_glass_principals": ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"]}, "guardrails.break_glass_principals[0]", "names every role"),
    ({"application": {"name": "orders-eu"}}, "guardrails.application.name", "no -"),
    ({"application": {"name": "orders", "signing_role": "ci-deployer"}}, "guardrails.application.signing_role", "not a deploy role"),
    ({"application": {"name": "orders", "signing_role": "app-signer"}}, "guardrails.application.signing_role", "must not start with role_prefix"),
    ({"application": {"name": "orders", "functions": {"app-payments-api": {}}}}, "guardrails.application.functions.app-payments-api",
     "start with 'app-orders-'"),
    ({"tags": {"required": {}, "required_by_service": {}, "protected": [], "service_log_groups": ["*"]}},
     "guardrails.tags.service_log_groups[0]", "every log group"),
    ({"perimeter": {"services": ["lambda"], "trusted_accounts": [], "trusted_service_principals": [], "app_roles_assumable_in_organization": False}},
     "guardrails.perimeter.services[0]", "RCPs govern"),
    ({"perimeter": {"services": ["s3"], "trusted_accounts": [], "trusted_service_principals": ["*"], "app_roles_assumable_in_organization": False}},
     "guardrails.perimeter.trusted_service_principals[0]", "not a service principal"),
    ({"self_protection": {"config_rule_functions": ["prr-config-rules"], "config_rule_roles": [], "cloudtrail_buckets": [], "cloudtrail_keys": []}},
     "guardrails.self_protection.cloudtrail_buckets", "CloudTrail bucket"),
    ({"self_protection": {"config_rule_functions": ["prr-config-rules"], "config_rule_roles": ["prr-config-rules"], "cloudtrail_buckets": ["b-1"],
                          "cloudtrail_keys": []}}, "guardrails.self_protection.config_rule_roles[0]", "not a role ARN"),
    ({"self_protection": {"config_rule_functions": ["prr-config-rules"], "config_rule_roles": [], "cloudtrail_buckets": ["trail"],
                          "cloudtrail_keys": ["alias/trail"]}}, "guardrails.self_protection.cloudtrail_keys[0]", "not a KMS key ARN"),
])
def test_bad_guardrail_settings_name_the_key(tmp_path, capsys, change, path, reason):
    f = _settings_with(tmp_path, **change)
    assert main(["generate", "--settings", str(f), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert path in err and reason in err and "Traceback" not in err


def test_too_many_statements_fail_with_the_numbers(tmp_path):
    f = _settings_with(tmp_path, scp_max_policies_per_target=2,
                       tags={"required": {f"cost-center-{i}": [] for i in range(12)}, "required_by_service": {}, "protected": []})
    settings = load_settings(f)
    needed = len(pack(scp.statements(settings), 99))
    with pytest.raises(GuardrailError) as err:
        generate(settings)
    assert err.value.path == "guardrails.scp_max_policies_per_target"
    assert needed > 1 and f"need {needed} policies" in err.value.reason and "takes 1 besides FullAWSAccess" in err.value.reason


def test_too_many_rcp_statements_fail_with_the_numbers(tmp_path):
    """RCPs are packed like SCPs; at most 5 per target, RCPFullAWSAccess included."""
    f = _settings_with(tmp_path, rcp_max_policies_per_target=2,
                       perimeter={"services": ["s3", "sqs", "kms", "secretsmanager"], "trusted_accounts": [f"{i:012d}" for i in range(150)],
                                  "trusted_service_principals": [], "app_roles_assumable_in_organization": False})
    with pytest.raises(GuardrailError) as err:
        generate(load_settings(f))
    assert err.value.path == "guardrails.rcp_max_policies_per_target"
    assert "RCP statements" in err.value.reason and "besides RCPFullAWSAccess" in err.value.reason


def test_pack_keeps_order_and_splits_at_the_limit():
    stmts = [{"Sid": f"S{i}", "Effect": "Deny", "Action": [f"s3:Get{'x' * 500}{i}"], "Resource": "*"} for i in range(20)]
    docs = pack(stmts, 4)
    assert [s["Sid"] for d in docs for s in d["Statement"]] == [s["Sid"] for s in stmts]
    assert all(len(minified(d)) <= SCP_MAX_CHARS for d in docs)
    assert len(docs) == 3  # ~530 characters each: 9 fit in 5,120
    with pytest.raises(GuardrailError, match="on its own"):
        pack([{"Sid": "Huge", "Effect": "Deny", "Action": ["s3:" + "x" * 6000], "Resource": "*"}], 4)


# ---- lint-policy ---------------------------------------------------------------------------

BAD = ROOT / "tests" / "lint_fixtures" / "bad_policy.json"


def test_lint_finds_misspelled_action_and_invalid_condition_key(capsys):
    assert main(["lint-policy", str(BAD)]) == 1
    out = capsys.readouterr().out
    assert f"{BAD}: Statement[0].Action[1]: error unknown-action: 's3:GetObjcet' is not a s3 action (did you mean 's3:GetObject'?)" in out
    assert (f"{BAD}: Statement[1].Condition.StringEquals.lambda:CodeSigningConfigArn: error condition-key-not-valid-for-action: "
            "'lambda:CodeSigningConfigArn' is not a condition key of lambda:UpdateFunctionCode") in out
    assert f"{BAD}: Statement[2]: error admin-wildcard" in out


@pytest.mark.parametrize("statement, ptype, code, path", [
    ({"Effect": "Allow", "Action": "s4:GetObject", "Resource": "*"}, "managed", "unknown-service", "Statement[0].Action"),
    ({"Effect": "Allow", "Action": "s3:Frobnicate*", "Resource": "*"}, "managed", "no-matching-action", "Statement[0].Action"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipleTag/x": "y"}}},
     "managed", "unknown-condition-key", "Statement[0].Condition.StringEquals.aws:PrincipleTag/x"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"s3:NoSuchKey": "y"}}},
     "managed", "unknown-condition-key", "Statement[0].Condition.StringEquals.s3:NoSuchKey"),
    ({"Effect": "Allow", "Action": ["s3:PutObject", "lambda:CreateFunction"], "Resource": "*",
      "Condition": {"StringEquals": {"lambda:CodeSigningConfigArn": "x"}}}, "managed", "condition-key-not-valid-for-some-actions",
     "Statement[0].Condition.StringEquals.lambda:CodeSigningConfigArn"),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "managed", "admin-wildcard", "Statement[0]"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"}, "managed", "invalid-policy", "Statement[0].Principal"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": "x" * 6200}, "managed", "too-large", "(document)"),
])
def test_lint_findings(statement, ptype, code, path):
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    findings = lint_document(doc, "p.json", ptype)
    assert any(f.code == code and f.path == path for f in findings), findings


def test_lint_accepts_good_policies_and_scp_full_access():
    good = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["lambda:CreateFunction"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/app": "orders", "lambda:CodeSigningConfigArn": "x"}, "Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": "a"}}}]}
    assert lint_document(good, "p.json") == []
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert lint_document(full, "FullAWSAccess.json", "scp") == []


def test_lint_bad_input_is_exit_2(tmp_path, capsys):
    assert main(["lint-policy", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: cannot read" in capsys.readouterr().err
    assert main(["lint-policy", "--type", "weird", str(BAD)]) == 2
    f = tmp_path / "notjson.json"
    f.write_text("{")
    assert lint_files([str(f)])[0].code == "invalid-policy"


def test_lint_warns_about_allow_with_not_principal():
    """Issue 12: NotPrincipal with "Effect": "Allow" is valid (the engine evaluates it) but "We
    strongly recommend that you do not use NotPrincipal in the same policy statement as "Effect":
    "Allow"": lint-policy warns, on that statement only, and a Deny with NotPrincipal is quiet."""
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/bob"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:user/bob"]},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    findings = lint_document(doc, "bucket.json", "s3-bucket")
    assert [(f.path, f.severity, f.code) for f in findings] == [("Statement[0].NotPrincipal", "warning", "not-principal-allow")]
    assert "anonymous" in findings[0].message


def test_a_ci_boundary_over_the_managed_policy_limit_says_what_to_change(tmp_path):
    """The CI boundary is a managed policy (6,144 characters without whitespace): too many
    artifact buckets make generation fail with the numbers and what to change."""
    f = _settings_with(tmp_path, application={"name": "orders", "artifact_buckets": [f"app-orders-artifacts-{i:03d}" for i in range(40)],
                                              "signing_profiles": ["orders_release"]})
    with pytest.raises(GuardrailError) as err:
        generate(load_settings(f))
    assert err.value.path == "guardrails.application"
    assert "prr-ci-boundary.json is" in err.value.reason and "name a signing_role" in err.value.reason


def test_lint_knows_web_identity_claims_and_where_they_apply():
    """An OIDC provider's claims (<provider>:aud, :sub, ...) are keys of sts:AssumeRoleWithWebIdentity
    (IAM's "Available keys for AWS OIDC federation"): lint-policy accepted none of them and reported
    the generated GitHub trust policies as broken; on another action the claim can never match."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                       "token.actions.githubusercontent.com:sub": "repo:Owner/repo:environment:production"}}}]}
    assert lint_document(trust, "trust.json", "trust") == []
    trust["Statement"][0]["Action"] = "sts:AssumeRole"
    codes = [(f.code, f.path.rsplit(":", 1)[-1]) for f in lint_document(trust, "trust.json", "trust")]
    assert codes == [("condition-key-not-valid-for-action", "aud"), ("condition-key-not-valid-for-action", "sub")]
    trust["Statement"][0]["Action"] = "sts:AssumeRoleWithWebIdentity"
    trust["Statement"][0]["Condition"]["StringEquals"] = {"token.actions.githubusercontent.com:repository_owner": "Owner"}
    assert [f.code for f in lint_document(trust, "trust.json", "trust")] == ["unknown-condition-key"]
