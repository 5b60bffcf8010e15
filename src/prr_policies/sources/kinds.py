"""The kind registry: everything the sources know about one resource kind, in one row.

A *kind* is a facts type (:mod:`prr_policies.facts`). Its row says:

- ``report_types``: the AWS resource types its results are reported against (Config's
  ComplianceResourceType; the first is the default);
- ``terraform``: the Terraform resource types its builder reads, each with the defaults the AWS
  provider fills in when the configuration leaves an attribute out (``None``: it stays unset; an
  attribute the provider computes when left out, which a plan shows as known only after apply,
  must be listed here to be read as its default rather than Unknown), and ``terraform_builder``
  ``(conf, graph, settings) -> facts | list[facts]`` (a list where one Terraform resource holds
  several things to judge, e.g. an EventBridge rule's targets);
- ``config_types`` and ``config_builder`` ``(item, settings) -> facts``: the AWS Config resource
  types it is recorded as, and ``enrich`` ``(facts, item, api, fields) -> facts`` for the fields
  Config does not record;
- ``scope``, ``calls`` and ``reader``: how the live account collector reaches it (per function,
  or account-wide through ``reader(account)``), and every boto3 call that takes (the IAM action
  each needs is derived from the call, see :mod:`prr_policies.sources.aws_api`).

Every other table (the checkov checks' builders, the Config dispatch, the account's type tables,
the audit's permissions, the Config rules' scopes) is a loop over :data:`KINDS`. To add a kind,
add its facts dataclass and one row here (CONTRIBUTING.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Literal

from prr_policies.facts import (
    ApiStage, CodeSigningConfig, DeploymentGroup, EventBus, EventRuleTargets, EventSourceMapping, FunctionLogGroup,
    FunctionRelease, FunctionUrl, IamRole, KmsKey, LambdaFunction, LambdaPermission, Queue, Secret, Topic, TopicSubscriptions,
    AccountBudgets, ApiDomain, ApiIntegration, ApiRoute, Bucket, FunctionIdempotency, IamPolicy, MetricAlarm, ProvisionedConcurrency, Table, UsagePlan, WatchedResource, WebAcl, GuardDutyProtection, InspectorScanning,
)
from prr_policies.sources import config_item as item
from prr_policies.sources import live
from prr_policies.sources import terraform as tf
from prr_policies.sources.terraform import builders_account as tf_account
from prr_policies.sources.terraform import builders_api as tf_api
from prr_policies.sources.terraform import builders_events as tf_events
from prr_policies.sources.terraform import builders_function as tf_function
from prr_policies.sources.terraform import builders_concurrency as tf_concurrency
from prr_policies.sources.terraform import builders_cost as tf_cost
from prr_policies.sources.terraform import builders_idempotency as tf_idempotency
from prr_policies.sources.terraform import builders_keys as tf_keys
from prr_policies.sources.terraform import builders_messaging as tf_messaging
from prr_policies.sources.terraform import builders_observability as tf_observability
from prr_policies.sources.terraform import builders_resilience as tf_resilience

Call = tuple[str, str]  # (boto3 service, boto3 operation)


@dataclass(frozen=True)
class Kind:
    facts: type
    report_types: tuple[str, ...]
    scope: Literal["function", "account"]
    calls: tuple[Call, ...]
    terraform: dict[str, dict[str, Any]] = field(default_factory=dict)
    terraform_builder: Callable[..., Any] | None = None
    config_types: tuple[str, ...] = ()
    config_builder: Callable[..., Any] | None = None
    enrich: Callable[..., Any] | None = None
    reader: Callable[[Any], Any] | None = None  # account-wide kinds
    placeholder: str = ""  # the id of the all-Unknown row for a refused listing

    @property
    def name(self) -> str:
        return self.facts.__name__


_FUNCTIONS: tuple[Call, ...] = (("lambda", "list_functions"),)
_ROLE: tuple[Call, ...] = (("iam", "get_role"),)

KINDS: tuple[Kind, ...] = (
    Kind(LambdaFunction, ("AWS::Lambda::Function",), "function",
         _FUNCTIONS + (("lambda", "get_function"), ("lambda", "get_function_code_signing_config"),
                       ("lambda", "get_function_event_invoke_config")) + _ROLE + (("ec2", "describe_subnets"),),
         terraform={"aws_lambda_function": {"package_type": "Zip", "timeout": 3, "memory_size": 128,
                                            "reserved_concurrent_executions": -1, "tracing_config": None}},
         terraform_builder=tf_function.lambda_function, config_types=("AWS::Lambda::Function",),
         config_builder=item.lambda_function, enrich=item.enrich_lambda_function, placeholder="<all functions>"),
    Kind(FunctionUrl, ("AWS::Lambda::Function",), "function",
         _FUNCTIONS + (("lambda", "list_aliases"), ("lambda", "get_function_url_config")),
         terraform={"aws_lambda_function_url": {}}, terraform_builder=tf.function_url, placeholder="<all functions>"),
    Kind(LambdaPermission, ("AWS::Lambda::Function",), "function", _FUNCTIONS + (("lambda", "get_policy"),),
         terraform={"aws_lambda_permission": {}}, terraform_builder=tf.lambda_permission, placeholder="<all functions>"),
    Kind(IamRole, ("AWS::IAM::Role",), "function", _FUNCTIONS + _ROLE,
         terraform={"aws_iam_role": {}}, terraform_builder=tf.iam_role, config_types=("AWS::IAM::Role",),
         config_builder=item.iam_role, placeholder="<all functions>"),
    Kind(FunctionLogGroup, ("AWS::Lambda::Function",), "function", _FUNCTIONS + (("logs", "describe_log_groups"),),
         placeholder="<all functions>"),
    Kind(FunctionRelease, ("AWS::Lambda::Function",), "function",
         _FUNCTIONS + (("lambda", "list_event_source_mappings"), ("lambda", "get_policy"), ("lambda", "list_aliases"),
                       ("lambda", "get_function_url_config"), ("lambda", "list_provisioned_concurrency_configs"),
                       ("codedeploy", "list_applications"), ("codedeploy", "batch_get_applications"),
                       ("codedeploy", "list_deployment_groups"), ("codedeploy", "get_deployment_group"),
                       ("codedeploy", "get_deployment_config")),
         placeholder="<all functions>"),
    Kind(EventSourceMapping, ("AWS::Lambda::EventSourceMapping",), "function",
         _FUNCTIONS + (("lambda", "list_event_source_mappings"), ("sqs", "get_queue_attributes")),
         terraform={"aws_lambda_event_source_mapping": {"maximum_retry_attempts": None, "maximum_record_age_in_seconds": None}},
         terraform_builder=tf.event_source_mapping,
         placeholder="<all mappings>"),
    Kind(Queue, ("AWS::SQS::Queue",), "account", (("sqs", "list_queues"), ("sqs", "get_queue_attributes")),
         terraform={"aws_sqs_queue": {"redrive_policy": None, "redrive_allow_policy": None, "sqs_managed_sse_enabled": None}},
         terraform_builder=tf_messaging.queue, config_types=("AWS::SQS::Queue",),
         config_builder=item.queue, enrich=item.enrich_queue, reader=live.queues, placeholder="<all queues>"),
    Kind(Topic, ("AWS::SNS::Topic",), "account", (("sns", "list_topics"), ("sns", "get_topic_attributes")),
         terraform={"aws_sns_topic": {}}, terraform_builder=tf_messaging.topic, config_types=("AWS::SNS::Topic",),
         config_builder=item.topic, enrich=item.enrich_topic, reader=live.topics, placeholder="<all topics>"),
    Kind(Secret, ("AWS::SecretsManager::Secret",), "account", (("secretsmanager", "list_secrets"),),
         terraform={"aws_secretsmanager_secret": {}}, terraform_builder=tf.secret,
         config_types=("AWS::SecretsManager::Secret",), config_builder=item.secret, reader=live.secrets,
         placeholder="<all secrets>"),
    Kind(KmsKey, ("AWS::KMS::Key",), "account",
         (("kms", "list_keys"), ("kms", "describe_key"), ("kms", "get_key_rotation_status")),
         terraform={"aws_kms_key": {"enable_key_rotation": False, "is_enabled": True,
                                    "customer_master_key_spec": "SYMMETRIC_DEFAULT"}},
         terraform_builder=tf_keys.kms_key, config_types=("AWS::KMS::Key",), config_builder=item.kms_key,
         enrich=item.enrich_kms_key, reader=live.kms_keys, placeholder="<all keys>"),
    Kind(CodeSigningConfig, ("AWS::Lambda::CodeSigningConfig",), "account", (("lambda", "list_code_signing_configs"),),
         terraform={"aws_lambda_code_signing_config": {"policies": None}}, terraform_builder=tf.code_signing_config,
         config_types=("AWS::Lambda::CodeSigningConfig",), config_builder=item.code_signing_config,
         reader=live.code_signing_configs, placeholder="<all code signing configs>"),
    Kind(DeploymentGroup, ("AWS::CodeDeploy::DeploymentGroup",), "account",
         (("codedeploy", "list_applications"), ("codedeploy", "batch_get_applications"),
          ("codedeploy", "list_deployment_groups"), ("codedeploy", "get_deployment_group"),
          ("codedeploy", "get_deployment_config")),
         terraform={"aws_codedeploy_deployment_group": {"deployment_config_name": "CodeDeployDefault.OneAtATime"}},
         terraform_builder=tf.deployment_group, config_types=("AWS::CodeDeploy::DeploymentGroup",),
         config_builder=item.deployment_group, enrich=item.enrich_deployment_group, reader=live.deployment_groups,
         placeholder="<all deployment groups>"),
    Kind(ApiStage, ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"), "account",
         (("apigateway", "get_rest_apis"), ("apigateway", "get_stages"), ("apigatewayv2", "get_apis"),
          ("apigatewayv2", "get_stages")),
         terraform={"aws_api_gateway_stage": {"xray_tracing_enabled": False}}, terraform_builder=tf_api.api_stage,
         config_types=("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"), config_builder=item.api_stage,
         reader=live.api_stages, placeholder="<all APIs>"),
    # ---- issue 13 ----
    Kind(IamPolicy, ("AWS::IAM::Policy", "AWS::IAM::Role"), "account",
         (("iam", "list_policies"), ("iam", "get_policy_version"), ("iam", "list_roles"), ("iam", "list_role_policies"),
          ("iam", "get_role_policy")),
         terraform={"aws_iam_policy": {}, "aws_iam_role_policy": {}, "aws_iam_user_policy": {}, "aws_iam_group_policy": {}},
         terraform_builder=tf_keys.iam_policy, config_types=("AWS::IAM::Policy",), config_builder=item.iam_policy,
         reader=live.iam_policies, placeholder="<all policies>"),
    Kind(UsagePlan, ("AWS::ApiGateway::UsagePlan",), "account", (("apigateway", "get_usage_plans"),),
         terraform={"aws_api_gateway_usage_plan": {}}, terraform_builder=tf_api.usage_plan, reader=live.usage_plans,
         placeholder="<all usage plans>"),
    Kind(ApiRoute, ("AWS::ApiGatewayV2::Route",), "account", (("apigatewayv2", "get_apis"), ("apigatewayv2", "get_routes")),
         terraform={"aws_apigatewayv2_route": {"authorization_type": "NONE"}}, terraform_builder=tf_api.api_route,
         reader=live.api_routes, placeholder="<all routes>"),
    Kind(ApiIntegration, ("AWS::ApiGatewayV2::Integration",), "account",
         (("apigatewayv2", "get_apis"), ("apigatewayv2", "get_integrations")),
         terraform={"aws_apigatewayv2_integration": {"connection_type": "INTERNET"}}, terraform_builder=tf_api.api_integration,
         reader=live.api_integrations, placeholder="<all integrations>"),
    Kind(ApiDomain, ("AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName"), "account",
         (("apigateway", "get_domain_names"), ("apigatewayv2", "get_domain_names")),
         terraform={"aws_api_gateway_domain_name": {}, "aws_apigatewayv2_domain_name": {}}, terraform_builder=tf_api.api_domain,
         reader=live.api_domains, placeholder="<all domain names>"),
    Kind(WebAcl, ("AWS::WAFv2::WebACL",), "account",
         (("wafv2", "list_web_acls"), ("wafv2", "get_web_acl"), ("wafv2", "list_resources_for_web_acl")),
         terraform={"aws_wafv2_web_acl": {}}, terraform_builder=tf_api.web_acl, reader=live.web_acls, placeholder="<all web ACLs>"),
    Kind(MetricAlarm, ("AWS::CloudWatch::Alarm",), "account", (("cloudwatch", "describe_alarms"),),
         terraform={"aws_cloudwatch_metric_alarm": {"actions_enabled": True}}, terraform_builder=tf_observability.metric_alarm,
         config_types=("AWS::CloudWatch::Alarm",), config_builder=item.metric_alarm, reader=live.metric_alarms,
         placeholder="<all alarms>"),
    # A resource the PRR wants alarms on (a function, a dead-letter or event-source queue, an API stage).
    Kind(WatchedResource, ("AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"), "account",
         (("cloudwatch", "describe_alarms"), ("lambda", "list_functions"), ("lambda", "list_event_source_mappings"),
          ("sqs", "list_queues"), ("sqs", "get_queue_attributes"), ("apigateway", "get_rest_apis"), ("apigateway", "get_stages"),
          ("apigatewayv2", "get_apis"), ("apigatewayv2", "get_stages"), ("codedeploy", "list_applications"),
          ("codedeploy", "batch_get_applications"), ("codedeploy", "list_deployment_groups"), ("codedeploy", "get_deployment_group"),
          ("codedeploy", "get_deployment_config")),
         terraform={"aws_lambda_function": {}, "aws_sqs_queue": {}, "aws_api_gateway_stage": {}, "aws_apigatewayv2_stage": {}},
         terraform_builder=tf_observability.watched, reader=live.watched_resources, placeholder="<all watched resources>"),
    # What delivers events to a function at least once, and how it declares idempotency (Config
    # records neither event source mappings nor resource policies: a periodic rule reads the account).
    Kind(FunctionIdempotency, ("AWS::Lambda::Function",), "account",
         (("lambda", "list_functions"), ("lambda", "list_event_source_mappings"), ("lambda", "get_function_event_invoke_config"),
          ("lambda", "get_policy"), ("lambda", "list_tags")),
         terraform={"aws_lambda_function": {}}, terraform_builder=tf_idempotency.function_idempotency,
         reader=live.function_idempotency, placeholder="<all functions>"),
    # Provisioned concurrency configs and the reservation they share (Config records neither:
    # a periodic rule reads the account).
    Kind(ProvisionedConcurrency, ("AWS::Lambda::Function",), "account",
         (("lambda", "list_functions"), ("lambda", "list_provisioned_concurrency_configs"), ("lambda", "get_function_concurrency")),
         terraform={"aws_lambda_provisioned_concurrency_config": {}}, terraform_builder=tf_concurrency.provisioned_concurrency,
         reader=live.provisioned_concurrency, placeholder="<all functions>"),
    # The account's budgets (Budgets is global; Config records none: a periodic rule reads them).
    Kind(AccountBudgets, ("AWS::::Account",), "account",
         (("sts", "get_caller_identity"), ("budgets", "describe_budgets"), ("budgets", "describe_notifications_for_budget")),
         terraform={"aws_budgets_budget": {}}, terraform_builder=tf_cost.budget,
         reader=live.account_budgets, placeholder="<the account's budgets>"),
    Kind(Bucket, ("AWS::S3::Bucket",), "account",
         (("s3", "list_buckets"), ("s3", "get_bucket_location"), ("s3", "get_bucket_versioning"),
          ("s3", "get_bucket_notification_configuration"), ("lambda", "get_policy")),
         terraform={"aws_s3_bucket": {}}, terraform_builder=tf_resilience.bucket, config_types=("AWS::S3::Bucket",),
         config_builder=item.bucket, enrich=item.enrich_bucket, reader=live.buckets, placeholder="<all buckets>"),
    Kind(Table, ("AWS::DynamoDB::Table",), "account",
         (("dynamodb", "list_tables"), ("dynamodb", "describe_table"), ("dynamodb", "describe_continuous_backups"),
          ("backup", "list_backup_plans"), ("backup", "list_backup_selections"), ("backup", "get_backup_selection")),
         terraform={"aws_dynamodb_table": {}}, terraform_builder=tf_resilience.table, config_types=("AWS::DynamoDB::Table",),
         config_builder=item.table, reader=live.tables, placeholder="<all tables>"),
    Kind(TopicSubscriptions, ("AWS::SNS::Topic",), "account", (("sns", "list_subscriptions"), ("sns", "get_subscription_attributes")),
         terraform={"aws_sns_topic_subscription": {}}, terraform_builder=tf_messaging.subscription,
         reader=live.topic_subscriptions, placeholder="<all subscriptions>"),
    Kind(EventRuleTargets, ("AWS::Events::Rule",), "account",
         (("events", "list_event_buses"), ("events", "list_rules"), ("events", "list_targets_by_rule")),
         terraform={"aws_cloudwatch_event_target": {"event_bus_name": "default"}}, terraform_builder=tf_events.event_target,
         config_types=("AWS::Events::Rule",), config_builder=item.event_rule, reader=live.event_rules,
         placeholder="<all event rules>"),
    Kind(EventBus, ("AWS::Events::EventBus",), "account", (("events", "list_event_buses"), ("events", "describe_event_bus")),
         terraform={"aws_cloudwatch_event_bus_policy": {}, "aws_cloudwatch_event_permission": {}},
         terraform_builder=tf_events.event_bus_policy, config_types=("AWS::Events::EventBus",), config_builder=item.event_bus,
         enrich=item.enrich_event_bus, reader=live.event_buses, placeholder="<all event buses>"),
    # Region-wide services that watch the functions, reported on the account (Config records no
    # detector features; AWS's periodic managed rules read the account).
    Kind(GuardDutyProtection, ("AWS::::Account",), "account",
         (("sts", "get_caller_identity"), ("guardduty", "list_detectors"), ("guardduty", "get_detector")),
         terraform={"aws_guardduty_detector": {"enable": True}, "aws_guardduty_detector_feature": {}},
         terraform_builder=tf_account.guardduty, reader=live.guardduty_protection, placeholder="<the account's GuardDuty detector>"),
    Kind(InspectorScanning, ("AWS::::Account",), "account",
         (("sts", "get_caller_identity"), ("inspector2", "batch_get_account_status")),
         terraform={"aws_inspector2_enabler": {}}, terraform_builder=tf_account.inspector_enabler,
         reader=live.inspector_scanning, placeholder="<the account's Inspector status>"),
)


@lru_cache(maxsize=1)
def _by_facts() -> dict[type, Kind]:
    return {k.facts: k for k in KINDS}


def for_facts(facts_type: type) -> Kind | None:
    return _by_facts().get(facts_type)


def kind(facts_type: type) -> Kind:
    found = for_facts(facts_type)
    if found is None:
        raise LookupError(f"{facts_type.__name__} has no row in the kind registry (prr_policies.sources.kinds)")
    return found


@lru_cache(maxsize=1)
def _by_config_type() -> dict[str, Kind]:
    return {t: k for k in KINDS for t in k.config_types}


def for_config_type(resource_type: str) -> Kind | None:
    return _by_config_type().get(resource_type)


def config_types() -> tuple[str, ...]:
    return tuple(_by_config_type())


@lru_cache(maxsize=None)
def terraform_defaults(resource_type: str) -> dict[str, Any]:
    for k in KINDS:
        if resource_type in k.terraform:
            return k.terraform[resource_type]
    return {}


@lru_cache(maxsize=1)
def calls() -> tuple[Call, ...]:
    """Every boto3 call the live collector makes, in registry order, once each."""
    return tuple(dict.fromkeys(c for k in KINDS for c in k.calls))
