# The PRR custom Config rules: one Lambda function, its least-privilege role, and the
# conformance pack that wires every rule to it. It passes the PRR checkov checks itself
# (a test runs them on this directory).
#
# Hand-written, not generated. It deploys what `prr-policies generate` wrote for your settings:
# point generated_dir at that folder (the default is the example in this repository).
#
# Build the package:  pip install "prr-policies[aws]" -t build/ && (cd build && zip -r ../prr-config-rules.zip .)
# Sign it with the profile below, then: terraform apply -var package_bucket=... -var package_key=...

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40" }
  }
}

variable "package_bucket" {
  type        = string
  description = "S3 bucket holding the signed deployment package"
}

variable "generated_dir" {
  type        = string
  description = "The folder `prr-policies generate` wrote (it holds config_rules/conformance-pack.yaml and rule-permissions.json)"
  default     = "../../examples/orders"
}

variable "package_key" {
  type        = string
  description = "S3 key of the signed deployment package"
}

data "aws_caller_identity" "current" {}

locals {
  name = "prr-config-rules"
}

resource "aws_kms_key" "rules" {
  description         = "prr-config-rules environment, logs and failed events"
  enable_key_rotation = true
}

resource "aws_signer_signing_profile" "rules" {
  platform_id = "AWSLambda-SHA384-ECDSA"
  name_prefix = "prr_config_rules"
}

resource "aws_lambda_code_signing_config" "rules" {
  allowed_publishers {
    signing_profile_version_arns = [aws_signer_signing_profile.rules.version_arn]
  }
  policies {
    untrusted_artifact_on_deployment = "Enforce"
  }
}

resource "aws_iam_policy" "boundary" {
  name   = "${local.name}-boundary"
  policy = file("${path.module}/${var.generated_dir}/config_rules/rule-permissions.json")
}

resource "aws_iam_role" "rules" {
  name                 = local.name
  permissions_boundary = aws_iam_policy.boundary.arn
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "rules" {
  #checkov:skip=CKV_PRR_53:the generated rule-permissions.json, which checkov cannot read through file(); test_conformance_pack holds it to PRR-KMS-004
  name   = "read-and-report"
  role   = aws_iam_role.rules.id
  policy = file("${path.module}/${var.generated_dir}/config_rules/rule-permissions.json")
}

resource "aws_iam_role_policy" "logs_and_failures" {
  name = "logs-and-failures"
  role = aws_iam_role.rules.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "${aws_cloudwatch_log_group.rules.arn}:*" },
      { Effect = "Allow", Action = ["sqs:SendMessage"], Resource = aws_sqs_queue.failures.arn },
      { Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"], Resource = aws_kms_key.rules.arn },
      { Effect = "Allow", Action = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource = "*" }
    ]
  })
}

resource "aws_cloudwatch_log_group" "rules" {
  name              = "/aws/lambda/${local.name}"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.rules.arn
}

resource "aws_sqs_queue" "failures" {
  name              = "${local.name}-dlq"
  kms_master_key_id = aws_kms_key.rules.arn
}

resource "aws_lambda_function" "rules" {
  function_name                  = local.name
  role                           = aws_iam_role.rules.arn
  runtime                        = "python3.12"
  handler                        = "prr_policies.config_rules.handler.lambda_handler"
  s3_bucket                      = var.package_bucket
  s3_key                         = var.package_key
  timeout                        = 300
  memory_size                    = 512
  reserved_concurrent_executions = 5
  kms_key_arn                    = aws_kms_key.rules.arn
  code_signing_config_arn        = aws_lambda_code_signing_config.rules.arn
  architectures                  = ["arm64"] # pure Python: Graviton costs less

  # Config invokes the function asynchronously, so an event may come twice: an evaluation is
  # recomputed from the same item and PutEvaluations overwrites the earlier one (PRR-LAMBDA-022).
  tags = {
    "prr:idempotency" = "PutEvaluations overwrites a recomputed evaluation"
  }

  environment {
    variables = {
      PRR_SETTINGS = "prr.yaml"
    }
  }

  logging_config {
    log_format            = "JSON"
    application_log_level = "INFO"
    system_log_level      = "WARN"
  }

  tracing_config {
    mode = "Active"
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.failures.arn
  }

  depends_on = [aws_cloudwatch_log_group.rules]
}

resource "aws_lambda_function_event_invoke_config" "rules" {
  function_name                = aws_lambda_function.rules.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600
  destination_config {
    on_failure {
      destination = aws_sqs_queue.failures.arn
    }
  }
}

resource "aws_lambda_permission" "config" {
  statement_id   = "AllowConfig"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.rules.function_name
  principal      = "config.amazonaws.com"
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_config_conformance_pack" "prr" {
  name          = "prr-serverless"
  template_body = file("${path.module}/${var.generated_dir}/config_rules/conformance-pack.yaml")

  input_parameter {
    parameter_name  = "PrrRuleFunctionArn"
    parameter_value = aws_lambda_function.rules.arn
  }

  depends_on = [aws_lambda_permission.config]
}

# Alarms the PRR asks for on the rule function and its dead-letter queue, notifying alarm_topic_arn.
variable "alarm_topic_arn" {
  type        = string
  description = "SNS topic the rule function's alarms notify (the security team's on-call)"
  default     = "arn:aws:sns:eu-west-1:123456789012:security-oncall"
}

resource "aws_cloudwatch_metric_alarm" "rules" {
  for_each            = toset(["Errors", "Throttles"])
  alarm_name          = "${local.name}-${lower(each.key)}"
  namespace           = "AWS/Lambda"
  metric_name         = each.key
  dimensions          = { FunctionName = aws_lambda_function.rules.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [var.alarm_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "failures" {
  alarm_name          = "${local.name}-dlq-not-empty"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.failures.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [var.alarm_topic_arn]
}
