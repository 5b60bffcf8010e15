# Fixtures for PRR-LAMBDA-006: resources are named by the verdict they must get.
variable "timeout" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_lambda_function" "pass_timeout_30" {
  function_name = "pass-timeout-30"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  timeout = 30
}
resource "aws_lambda_function" "pass_provider_default_3s" {
  function_name = "pass-provider-default-3s"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_timeout_above_max" {
  function_name = "fail-timeout-above-max"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  timeout = 900
}
resource "aws_lambda_function" "unknown_timeout_from_variable" {
  function_name = "unknown-timeout-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  timeout = var.timeout
}
