# Fixtures for PRR-LAMBDA-001: resources are named by the verdict they must get.
variable "tracing_mode" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_lambda_function" "pass_active_tracing" {
  function_name = "pass-active-tracing"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  tracing_config {
    mode = "Active"
  }
}
resource "aws_lambda_function" "fail_passthrough" {
  function_name = "fail-passthrough"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  tracing_config {
    mode = "PassThrough"
  }
}
resource "aws_lambda_function" "fail_no_tracing_config" {
  function_name = "fail-no-tracing-config"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "unknown_mode_from_variable" {
  function_name = "unknown-mode-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  tracing_config {
    mode = var.tracing_mode
  }
}
