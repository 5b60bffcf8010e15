# Fixtures for PRR-LAMBDA-003: resources are named by the verdict they must get.
variable "dlq_arn" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_sqs_queue" "failures" {
  name = "fixture-failures"
}
resource "aws_lambda_function_event_invoke_config" "by_reference" {
  function_name = aws_lambda_function.pass_on_failure_destination.function_name
  destination_config {
    on_failure {
      destination = aws_sqs_queue.failures.arn
    }
  }
}
resource "aws_lambda_function_event_invoke_config" "by_name" {
  function_name = "pass-on-failure-by-name"
  destination_config {
    on_failure {
      destination = "arn:aws:sqs:eu-west-1:123456789012:fixture-failures"
    }
  }
}
resource "aws_lambda_function_event_invoke_config" "success_only" {
  function_name = aws_lambda_function.fail_on_success_only.function_name
  destination_config {
    on_success {
      destination = aws_sqs_queue.failures.arn
    }
  }
}
resource "aws_lambda_function" "pass_dead_letter_queue" {
  function_name = "pass-dead-letter-queue"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  dead_letter_config {
    target_arn = aws_sqs_queue.failures.arn
  }
}
resource "aws_lambda_function" "pass_on_failure_destination" {
  function_name = "pass-on-failure-destination"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "pass_on_failure_by_name" {
  function_name = "pass-on-failure-by-name"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_on_success_only" {
  function_name = "fail-on-success-only"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_nothing_configured" {
  function_name = "fail-nothing-configured"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "unknown_dlq_from_variable" {
  function_name = "unknown-dlq-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  dead_letter_config {
    target_arn = var.dlq_arn
  }
}
