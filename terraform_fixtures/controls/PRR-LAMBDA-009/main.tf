# Fixtures for PRR-LAMBDA-009: resources are named by the verdict they must get.
variable "subnet_ids" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_lambda_function" "pass_in_vpc" {
  function_name = "pass-in-vpc"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  vpc_config {
    subnet_ids         = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    security_group_ids = ["sg-0123abcd"]
  }
}
resource "aws_lambda_function" "pass_dynamic_vpc_one_instance" {
  function_name = "pass-dynamic-vpc-one-instance"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  dynamic "vpc_config" {
    for_each = ["on"]
    content {
      subnet_ids         = ["subnet-0a1b2c3d"]
      security_group_ids = ["sg-0123abcd"]
    }
  }
}
resource "aws_lambda_function" "fail_no_vpc" {
  function_name = "fail-no-vpc"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_dynamic_vpc_empty_for_each" {
  function_name = "fail-dynamic-vpc-empty-for-each"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  dynamic "vpc_config" {
    for_each = []
    content {
      subnet_ids         = ["subnet-0a1b2c3d"]
      security_group_ids = ["sg-0123abcd"]
    }
  }
}
resource "aws_lambda_function" "unknown_subnets_from_variable" {
  function_name = "unknown-subnets-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = ["sg-0123abcd"]
  }
}
