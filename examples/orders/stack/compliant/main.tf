# Example stack (compliant): API Gateway -> Lambda -> SQS -> Lambda.
provider "aws" {
  region = "eu-west-1"
}

resource "aws_kms_key" "app" {
  description         = "orders application data"
  enable_key_rotation = true
}

resource "aws_signer_signing_profile" "ci" {
  platform_id = "AWSLambda-SHA384-ECDSA"
}

resource "aws_lambda_code_signing_config" "app" {
  allowed_publishers {
    signing_profile_version_arns = [aws_signer_signing_profile.ci.version_arn]
  }
  policies {
    untrusted_artifact_on_deployment = "Enforce"
  }
}

resource "aws_iam_role" "api_handler" {
  name               = "orders-api-handler"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/orders-app-boundary"
}
resource "aws_iam_role" "worker" {
  name               = "orders-worker"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/orders-app-boundary"
}

resource "aws_sqs_queue" "dlq" {
  name = "orders-dlq"
  kms_master_key_id = aws_kms_key.app.arn
}

resource "aws_sqs_queue" "orders" {
  name                       = "orders"
  visibility_timeout_seconds = 120
  kms_master_key_id = aws_kms_key.app.arn
  # A literal DLQ ARN keeps the redrive policy known at plan time: with a reference to the DLQ's
  # computed ARN, the whole policy is "known after apply" and PRR-SQS-002 says UNKNOWN on the plan.
  redrive_policy = jsonencode({
    deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"
    maxReceiveCount     = 5
  })
}

resource "aws_lambda_function" "api_handler" {
  function_name = "orders-api-handler"
  role          = aws_iam_role.api_handler.arn
  handler       = "app.handler"
  runtime       = "python3.13"
  filename      = "build/api_handler.zip"
  architectures = ["arm64"]
  layers        = ["arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:7"]
  timeout                        = 20
  memory_size                    = 512
  reserved_concurrent_executions = 20
  kms_key_arn                    = aws_kms_key.app.arn
  tags = {
    "prr:idempotency" = "powertools" # Powertools idempotency: a repeated event returns the first result
  }
  code_signing_config_arn        = aws_lambda_code_signing_config.app.arn
  tracing_config {
    mode = "Active"
  }
  logging_config {
    log_format            = "JSON"
    application_log_level = "INFO"
    system_log_level      = "WARN"
  }
  environment {
    variables = {
      QUEUE_URL = aws_sqs_queue.orders.url
    }
  }
}

resource "aws_lambda_function_event_invoke_config" "api_handler" {
  function_name          = aws_lambda_function.api_handler.function_name
  maximum_retry_attempts = 2
  destination_config {
    on_failure {
      destination = aws_sqs_queue.dlq.arn
    }
  }
}

resource "aws_lambda_function" "worker" {
  function_name = "orders-worker"
  role          = aws_iam_role.worker.arn
  handler       = "app.handler"
  runtime       = "python3.13"
  filename      = "build/worker.zip"
  architectures = ["arm64"]
  layers        = ["arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:7"]
  timeout                        = 20
  memory_size                    = 512
  reserved_concurrent_executions = 20
  kms_key_arn                    = aws_kms_key.app.arn
  tags = {
    "prr:idempotency" = "powertools" # Powertools idempotency: a repeated event returns the first result
  }
  code_signing_config_arn        = aws_lambda_code_signing_config.app.arn
  tracing_config {
    mode = "Active"
  }
  logging_config {
    log_format            = "JSON"
    application_log_level = "INFO"
    system_log_level      = "WARN"
  }
  environment {
    variables = {
      QUEUE_URL = aws_sqs_queue.orders.url
    }
  }
}

resource "aws_lambda_function_event_invoke_config" "worker" {
  function_name          = aws_lambda_function.worker.function_name
  maximum_retry_attempts = 2
  destination_config {
    on_failure {
      destination = aws_sqs_queue.dlq.arn
    }
  }
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn        = aws_sqs_queue.orders.arn
  function_name           = aws_lambda_function.worker.arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_api_gateway_rest_api" "orders" {
  name = "orders"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_rest_api.orders.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.orders.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.post.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.api_handler.invoke_arn
}

resource "aws_lambda_permission" "apigw" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api_handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.orders.execution_arn}/*/*"
}
