# Fixtures for PRR-LAMBDA-004: resources are named by the verdict they must get.
variable "kms_key_arn" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_kms_key" "lambda" {
  description         = "fixture lambda environment key"
  enable_key_rotation = true
}
resource "aws_lambda_function" "pass_env_with_cmk" {
  function_name = "pass-env-with-cmk"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  environment {
    variables = {
      TABLE = "orders"
    }
  }
  kms_key_arn = aws_kms_key.lambda.arn
}
resource "aws_lambda_function" "fail_env_without_key" {
  function_name = "fail-env-without-key"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  environment {
    variables = {
      TABLE = "orders"
    }
  }
}
resource "aws_lambda_function" "fail_env_aws_managed_key" {
  function_name = "fail-env-aws-managed-key"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  environment {
    variables = {
      TABLE = "orders"
    }
  }
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/aws/lambda"
}
resource "aws_lambda_function" "na_no_environment" {
  function_name = "na-no-environment"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "unknown_key_from_variable" {
  function_name = "unknown-key-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  environment {
    variables = {
      TABLE = "orders"
    }
  }
  kms_key_arn = var.kms_key_arn
}
