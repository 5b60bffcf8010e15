"""Every path gives the verdict of the pure rule on the facts it was generated from.

Paths: Terraform HCL (real checkov CLI; the plan path of the same renderer is checked on a fixed
sample that Terraform itself planned, tests/test_terraform_generated.py, since planning one
example takes 10-20 s), an AWS Config configuration item, and a moto-created function read back
through the boto3 collector. Where a source cannot hold
a field, the expected facts mark it Unknown (Config) or leave it out of the generated facts
(moto), and the other paths cover it:
- Config does not record environment variables, code signing configs, invoke configs or the
  role's boundary: expected Unknown there.
- moto drops DeadLetterConfig and does not implement code signing configs, so moto facts are
  drawn without them; the Terraform and Config paths cover both.
- Issue 13's fields: the generated environment is the variable the renderers write (STAGE=prod);
  Terraform cannot know the zones of subnets the configuration does not define, and Config records
  neither the environment, the subnets' zones nor (in these items) the logging config: expected Unknown.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given, settings, strategies as st

from prr_policies.controls import RULES, evaluate
from prr_policies.facts import EnvironmentVariable, ExecutionRoleFacts, LambdaFunction, Unknown
from prr_policies.sources import config_item, live
from prr_policies.result import Status
from prr_policies.sources import terraform as tf

from .checkov_run import run_checkov_on_hcl
from .strategies import ACCOUNT, create_in_moto, lambda_facts, to_config_item, to_hcl

FN_CONTROLS = [cid for cid, r in RULES.items() if r.facts_type is LambdaFunction]


def verdicts(facts, settings):
    return {cid: evaluate(cid, facts, settings).status for cid in FN_CONTROLS}


def with_environment(fn: LambdaFunction) -> LambdaFunction:
    """The facts with the environment every renderer writes (issue 13's rules read the variables)."""
    return dataclasses.replace(fn, environment=(EnvironmentVariable("STAGE", "prod"),) if fn.has_environment_variables else ())


@settings(max_examples=4)
@given(st.lists(st.integers(0, 2**32), min_size=3, max_size=6).flatmap(
    lambda seeds: st.tuples(*[lambda_facts(index=i) for i in range(len(seeds))])))
def test_terraform_hcl_path_agrees_with_the_rule(fixture_settings, batch):
    from prr_policies.catalog import catalog

    run = run_checkov_on_hcl("\n".join(to_hcl(fn) for fn in batch), [ck for c in catalog().controls for ck in c.enforcement.checkov])
    assert "Failed to run check" not in run.stderr
    for fn in batch:
        zones = Unknown("the subnets are not defined in the configuration") if fn.vpc_subnet_ids else None
        expected = verdicts(dataclasses.replace(with_environment(fn), vpc_availability_zones=zones,
                                                role=ExecutionRoleFacts(f"aws_iam_role.{fn.address}", fn.role.permissions_boundary, 1)),
                            fixture_settings)
        for cid, status in expected.items():
            check_id = catalog().control(cid).enforcement.checkov[0]
            rec = [r for r in run.records if r["check_type"] == "terraform" and r["check_id"] == check_id
                   and r["resource"] == f"aws_lambda_function.{fn.address}"]
            assert len(rec) == 1, (cid, fn.address)
            assert rec[0]["details"][0].split(":")[0] == status.value, (cid, fn, rec[0]["details"])


@given(lambda_facts())
def test_config_item_path_agrees_with_the_rule(fixture_settings, fn):
    not_recorded = Unknown("not recorded")
    expected_facts = dataclasses.replace(
        fn, address=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{fn.address}",
        tracing_mode=fn.tracing_mode or "PassThrough",
        has_environment_variables=not_recorded, code_signing_config_arn=not_recorded,
        on_failure_destination=not_recorded, role=not_recorded, environment=not_recorded,
        log_format=not_recorded, application_log_level=not_recorded, system_log_level=not_recorded, log_group=not_recorded,
        vpc_availability_zones=not_recorded if fn.vpc_subnet_ids else None)
    got = config_item.lambda_function(to_config_item(fn))
    assert verdicts(got, fixture_settings) == verdicts(expected_facts, fixture_settings)


@pytest.fixture(scope="module")
def moto_account():
    boto3 = pytest.importorskip("boto3")
    from moto import mock_aws

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        yield boto3.client("lambda", region_name="eu-west-1"), boto3.client("iam", region_name="eu-west-1"), subnet


_counter = iter(range(10**6))


@settings(max_examples=15)
@given(lambda_facts(dead_letter=False, code_signing=False))
def test_moto_function_path_agrees_with_the_rule(fixture_settings, moto_account, fn):
    lam, iam, subnet = moto_account
    name = f"prop-{next(_counter)}"
    role = create_in_moto(fn, lam, iam, subnet, name)
    import boto3

    got = live.collect_function(lam, iam, name, role_usage={role: 1}, ec2_client=boto3.client("ec2", region_name="eu-west-1"))
    # moto's subnet is in one Availability Zone, as the generated facts' (None: one zone) imply
    assert verdicts(got, fixture_settings) == verdicts(with_environment(fn), fixture_settings)


def test_access_denied_is_unknown_not_a_crash(fixture_settings):
    class Denied(Exception):
        response = {"Error": {"Code": "AccessDeniedException"}}

    class Client:
        def get_function(self, **_):
            raise Denied("not authorized to perform lambda:GetFunction")

    fn = live.collect_function(Client(), Client(), "f")
    assert all(s.value == "UNKNOWN" for s in verdicts(fn, fixture_settings).values() if s.value != "NOT_APPLICABLE")
    assert "AccessDeniedException" in fn.runtime.reason


conf_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
    | st.sampled_from(["var.x", "${var.x}", "aws_iam_role.r.arn", "module.m.out", "true_after_unknown", "-1", "Active"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8) | st.sampled_from(
        ["for_each", "content", "mode", "subnet_ids", "variables", "target_arn", "vpc_config", "destination_config", "on_failure", "destination"]), children, max_size=4),
    max_leaves=20,
)
conf_keys = st.sampled_from([
    "tracing_config", "reserved_concurrent_executions", "timeout", "memory_size", "environment", "kms_key_arn",
    "code_signing_config_arn", "dead_letter_config", "vpc_config", "runtime", "package_type", "role", "dynamic",
    "function_name", "start_line", "__startline__", "authorization_type", "principal", "source_arn", "source_account",
    "kms_master_key_id", "sqs_managed_sse_enabled", "redrive_policy", "redrive_allow_policy", "name", "kms_key_id",
    "enable_key_rotation", "customer_master_key_spec", "is_enabled", "policies", "allowed_publishers", "deployment_config_name",
    "alarm_configuration", "auto_rollback_configuration", "assume_role_policy", "permissions_boundary", "event_source_arn",
    "function_response_types", "maximum_retry_attempts", "maximum_record_age_in_seconds", "destination_config",
    "xray_tracing_enabled", "access_log_settings", "qualifier", "provisioned_concurrent_executions",
])


@settings(max_examples=300)
@given(st.dictionaries(conf_keys, conf_values, max_size=10))
@example({"dynamic": [{"vpc_config": "oops"}], "tracing_config": [[[]]], "timeout": [[1, 2]]})
def test_no_builder_or_rule_raises_on_arbitrary_conf(fixture_settings, conf):
    from prr_policies.sources import kinds

    graph = tf.ResourceGraph()
    for kind in kinds.KINDS:
        if kind.terraform_builder is None:
            continue
        built = kind.terraform_builder(conf, graph, fixture_settings)
        for facts in built if isinstance(built, list) else [built]:
            for rule in RULES.values():
                if isinstance(facts, rule.facts_type):
                    status, reason = rule.check(facts, fixture_settings)  # the bare rule, not the fail-closed wrapper
                    assert reason and status in Status


@settings(max_examples=100)
@given(st.dictionaries(conf_keys, conf_values, max_size=10))
def test_no_checkov_check_raises_on_arbitrary_conf(conf):
    from prr_policies.checkov_adapter import register

    for check in register():
        check.graph = None
        assert check.scan_resource_conf(dict(conf)) is not None
        assert check.details and Status.from_detail(check.details[0]) is not None
        assert "internal error" not in check.details[0], check.details  # the fail-closed net must not be what answered
