"""A realistic serverless account in moto: functions with queues, mappings, aliases, log groups
and roles; a REST API and an HTTP API; topics, secrets, keys and a CodeDeploy application.

``build(n)`` creates ``n`` functions; every fifth one is deliberately non-compliant in several
ways, so an audit has findings of every kind. Used by the audit tests and the benchmark.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import boto3

REGION = "eu-west-1"
ACCOUNT = "123456789012"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'batchItemFailures': []}\n")
    return buf.getvalue()


@dataclass
class Stack:
    functions: list[str]
    bad: list[str]


def client(service: str):
    return boto3.client(service, region_name=REGION)


def build(n: int = 200) -> Stack:
    iam, lam, sqs, logs, kms = client("iam"), client("lambda"), client("sqs"), client("logs"), client("kms")
    key = kms.create_key(Description="app", Tags=[{"TagKey": "app", "TagValue": "orders"}])["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key)
    kms.create_key(Description="no rotation")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    boundary = iam.create_policy(PolicyName="prr-app-boundary", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
    shared_role = iam.create_role(RoleName="shared-unbounded", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    code = _zip()
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # app-fn-001 runs in two subnets of two Availability Zones (PRR-LAMBDA-020 reads their zones)
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
               for n, az in ((1, "a"), (2, "b"))]
    names, bad = [], []
    for i in range(n):
        name = f"app-fn-{i:03d}"
        broken = i % 5 == 0
        names.append(name)
        if broken:
            bad.append(name)
            role = shared_role
        else:
            role = iam.create_role(RoleName=f"app-fn-{i:03d}", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)["Role"]["Arn"]
        dlq = sqs.create_queue(QueueName=f"{name}-dlq", Attributes={"KmsMasterKeyId": key})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attrs = {"VisibilityTimeout": "60" if broken else "180", "KmsMasterKeyId": "alias/aws/sqs" if broken else key}
        if not broken:
            attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
        q = sqs.create_queue(QueueName=f"{name}-in", Attributes=attrs)["QueueUrl"]
        q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        fn = lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": code},
            Timeout=30, MemorySize=256, TracingConfig={"Mode": "PassThrough" if broken else "Active"},
            KMSKeyArn=key, Environment={"Variables": {"STAGE": "prod"}},
            # fed by SQS at least once: the good ones declare their idempotency (PRR-LAMBDA-022)
            **({} if broken else {"Tags": {"prr:idempotency": "powertools"}}),
            **({} if broken else {"VpcConfig": {"SubnetIds": subnets if i == 1 else [], "SecurityGroupIds": []}}))["FunctionArn"]
        if not broken:
            lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=10)
            lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
            version = lam.publish_version(FunctionName=name)["Version"]
            lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
            logs.create_log_group(logGroupName=f"/aws/lambda/{name}", kmsKeyId=key)
            logs.put_retention_policy(logGroupName=f"/aws/lambda/{name}", retentionInDays=90)
        lam.create_event_source_mapping(EventSourceArn=q_arn, FunctionName=fn, BatchSize=10,
                                        **({} if broken else {"FunctionResponseTypes": ["ReportBatchItemFailures"]}))
    _extras()
    return Stack(names, bad)


def _extras() -> None:
    sns, sm, cd = client("sns"), client("secretsmanager"), client("codedeploy")
    sns.create_topic(Name="app-orders-events", Attributes={"KmsMasterKeyId": "alias/aws/sns"})
    sm.create_secret(Name="app-orders-db", SecretString="x")
    cd.create_application(applicationName="app-orders", computePlatform="Lambda")
    iam = client("iam")
    role = iam.create_role(RoleName="codedeploy", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    cd.create_deployment_group(applicationName="app-orders", deploymentGroupName="app-fn-001", serviceRoleArn=role,
                               deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
                               deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
                               autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
                               alarmConfiguration={"enabled": True, "alarms": [{"name": "app-fn-001-errors"}]})
    apigw = client("apigateway")
    api = apigw.create_rest_api(name="orders")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    dep = apigw.create_deployment(restApiId=api)["id"]
    apigw.create_stage(restApiId=api, stageName="prod", deploymentId=dep, tracingEnabled=True)
    # EventBridge (issue 13): a rule on the default bus whose function target has a DLQ and a bounded
    # retry policy, one whose target has neither, and a custom bus open to every account.
    events, sqs = client("events"), client("sqs")
    dlq = sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName="app-fn-001-dlq")["QueueUrl"],
                                   AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:app-fn-001"
    events.put_rule(Name="app-orders-created", EventPattern=json.dumps({"source": ["orders"]}))
    events.put_targets(Rule="app-orders-created", Targets=[{"Id": "fn", "Arn": fn, "DeadLetterConfig": {"Arn": dlq},
                                                            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600}}])
    events.put_rule(Name="app-orders-shipped", EventPattern=json.dumps({"source": ["shipping"]}))
    events.put_targets(Rule="app-orders-shipped", Targets=[{"Id": "fn", "Arn": fn}])
    events.create_event_bus(Name="app-partners")
    events.put_permission(EventBusName="app-partners", Action="events:PutEvents", Principal="*", StatementId="Everyone")
    # Queue and topic policies, and subscriptions with and without a redrive policy (issue 13).
    sqs.create_queue(QueueName="app-orders-public", Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:app-orders-public"}]})})
    topic = sns.create_topic(Name="app-orders-fanout")["TopicArn"]
    inbox = sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName="app-fn-002-in")["QueueUrl"],
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    with_dlq = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox, ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=with_dlq, AttributeName="RedrivePolicy",
                                    AttributeValue=json.dumps({"deadLetterTargetArn": dlq}))
    bare = sns.create_topic(Name="app-orders-bare-fanout")["TopicArn"]
    sns.subscribe(TopicArn=bare, Protocol="sqs", Endpoint=inbox)
    # Buckets and tables (issue 13): a versioned bucket notifying app-fn-001 with a scoped permission,
    # an unversioned one notifying app-fn-002 with no permission; a table with point-in-time recovery, one without.
    s3, lam, ddb = client("s3"), client("lambda"), client("dynamodb")
    for name, versioned, fn_name in (("app-orders-uploads", True, "app-fn-001"), ("app-orders-scratch", False, "app-fn-002")):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        if versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            lam.add_permission(FunctionName=fn_name, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                               SourceArn=f"arn:aws:s3:::{name}", SourceAccount=ACCOUNT)
        s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn_name}", "Events": ["s3:ObjectCreated:*"]}]})
    for name, pitr in (("app-orders", True), ("app-orders-cache", False)):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        if pitr:
            ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    client("backup").create_backup_plan(BackupPlan={"BackupPlanName": "app-orders-daily", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": "Default", "ScheduleExpression": "cron(0 3 * * ? *)"}]})
    # Alarms (issue 13): app-fn-001 has Errors and Throttles alarms, its DLQ and its input queue their
    # alarms, the REST stage 5XX and latency alarms, all notifying a topic; one alarm notifies no one.
    cw = client("cloudwatch")
    oncall = sns.create_topic(Name="app-oncall")["TopicArn"]

    def put_alarm(name, namespace, metric, dims, threshold=0.0, actions=True):
        cw.put_metric_alarm(AlarmName=name, Namespace=namespace, MetricName=metric, Statistic="Sum", Period=60, EvaluationPeriods=1,
                            Threshold=threshold, ComparisonOperator="GreaterThanThreshold",
                            Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()], AlarmActions=[oncall] if actions else [])
    put_alarm("app-fn-001-errors", "AWS/Lambda", "Errors", {"FunctionName": "app-fn-001"})
    put_alarm("app-fn-001-throttles", "AWS/Lambda", "Throttles", {"FunctionName": "app-fn-001"})
    put_alarm("app-fn-001-dlq", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "app-fn-001-dlq"})
    put_alarm("app-fn-001-in-age", "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "app-fn-001-in"}, 300.0)
    put_alarm("orders-prod-5xx", "AWS/ApiGateway", "5XXError", {"ApiName": "orders", "Stage": "prod"})
    put_alarm("orders-prod-latency", "AWS/ApiGateway", "Latency", {"ApiName": "orders", "Stage": "prod"}, 800.0)
    put_alarm("app-fn-002-errors", "AWS/Lambda", "Errors", {"FunctionName": "app-fn-002"}, actions=False)
    v2 = client("apigatewayv2")
    http = v2.create_api(Name="orders-http", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(ApiId=http, StageName="prod")
    # API Gateway (issue 13): usage plans with and without limits, routes with and without an
    # authorizer, a private integration without TLS, domain names, and a web ACL on the REST stage.
    apigw.create_usage_plan(name="app-partners", throttle={"rateLimit": 50.0, "burstLimit": 100}, quota={"limit": 1000, "period": "DAY"})
    apigw.create_usage_plan(name="app-unlimited")
    v2.create_route(ApiId=http, RouteKey="POST /orders", AuthorizationType="AWS_IAM")
    v2.create_route(ApiId=http, RouteKey="DELETE /orders/{id}", AuthorizationType="NONE")
    v2.create_integration(ApiId=http, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY", ConnectionType="VPC_LINK",
                          ConnectionId="vl-123", IntegrationUri="arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/y/z",
                          PayloadFormatVersion="1.0")
    apigw.create_domain_name(domainName="api.example.com", securityPolicy="TLS_1_0", endpointConfiguration={"types": ["REGIONAL"]},
                             regionalCertificateArn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/abc")
    v2.create_domain_name(DomainName="http.example.com", DomainNameConfigurations=[
        {"CertificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/abc", "SecurityPolicy": "TLS_1_2"}])
    waf = client("wafv2")
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "m"}
    acl = waf.create_web_acl(Name="app-api", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=visibility, Rules=[
        {"Name": "rate", "Priority": 0, "Action": {"Block": {}}, "VisibilityConfig": visibility,
         "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}}}])["Summary"]["ARN"]
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=f"arn:aws:apigateway:{REGION}::/restapis/{api}/stages/prod")
    # Keys and IAM policies (issue 13): a key pending deletion, a customer managed policy that may
    # decrypt with every key, and an inline role policy naming its key.
    kms, iam = client("kms"), client("iam")
    doomed = kms.create_key(Description="app retired")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    iam.create_policy(PolicyName="app-orders-decrypt-all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Sid": "DecryptAll", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}))
    iam.put_role_policy(RoleName="app-fn-001", PolicyName="decrypt-app-key", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",
                                                 "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{doomed}"}]}))
    # Budgets (issue 13): a monthly cost budget within the cost KPI that notifies, and a silent one.
    budgets = client("budgets")
    for name, notify in (("app-orders-monthly", True), ("app-orders-silent", False)):
        budgets.create_budget(AccountId=ACCOUNT, Budget={"BudgetName": name, "BudgetLimit": {"Amount": "800", "Unit": "USD"},
                                                         "TimeUnit": "MONTHLY", "BudgetType": "COST"},
                              NotificationsWithSubscribers=[{"Notification": {
                                  "NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN", "Threshold": 80,
                                  "ThresholdType": "PERCENTAGE"}, "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "oncall@example.com"}]}]
                              if notify else [])
    # GuardDuty and Inspector (issue 13): the Region's detector with Lambda Protection on, and Inspector's
    # Lambda standard scanning activated (code scanning is not: the default settings do not require it).
    client("guardduty").create_detector(Enable=True, Features=[{"Name": "LAMBDA_NETWORK_LOGS", "Status": "ENABLED"}])
    client("inspector2").enable(accountIds=[ACCOUNT], resourceTypes=["LAMBDA"])
