# Fixtures for PRR-LAMBDA-007: resources are named by the verdict they must get.
variable "memory" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_lambda_function" "pass_memory_512" {
  function_name = "pass-memory-512"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  memory_size = 512
}
resource "aws_lambda_function" "pass_provider_default_128" {
  function_name = "pass-provider-default-128"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_memory_above_max" {
  function_name = "fail-memory-above-max"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  memory_size = 10240
}
resource "aws_lambda_function" "unknown_memory_from_variable" {
  function_name = "unknown-memory-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  memory_size = var.memory
}
