# Fixtures for PRR-LAMBDA-002: resources are named by the verdict they must get.
variable "concurrency" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_lambda_function" "pass_reserved_50" {
  function_name = "pass-reserved-50"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  reserved_concurrent_executions = 50
}
resource "aws_lambda_function" "fail_unreserved_minus_one" {
  function_name = "fail-unreserved-minus-one"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  reserved_concurrent_executions = -1
}
resource "aws_lambda_function" "fail_zero_throttles" {
  function_name = "fail-zero-throttles"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  reserved_concurrent_executions = 0
}
resource "aws_lambda_function" "fail_not_set" {
  function_name = "fail-not-set"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_above_max" {
  function_name = "fail-above-max"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  reserved_concurrent_executions = 5000
}
resource "aws_lambda_function" "unknown_from_variable" {
  function_name = "unknown-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  reserved_concurrent_executions = var.concurrency
}
