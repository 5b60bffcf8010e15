# Fixtures for PRR-LAMBDA-005: resources are named by the verdict they must get.
variable "csc_arn" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_signer_signing_profile" "ci" {
  platform_id = "AWSLambda-SHA384-ECDSA"
}
resource "aws_lambda_code_signing_config" "csc" {
  allowed_publishers {
    signing_profile_version_arns = [aws_signer_signing_profile.ci.version_arn]
  }
  policies {
    untrusted_artifact_on_deployment = "Enforce"
  }
}
resource "aws_lambda_function" "pass_signed" {
  function_name = "pass-signed"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  code_signing_config_arn = aws_lambda_code_signing_config.csc.arn
}
resource "aws_lambda_function" "fail_unsigned" {
  function_name = "fail-unsigned"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "na_container_image" {
  function_name = "na-container-image"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  package_type = "Image"
  image_uri    = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"
}
resource "aws_lambda_function" "unknown_csc_from_variable" {
  function_name = "unknown-csc-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
  code_signing_config_arn = var.csc_arn
}
