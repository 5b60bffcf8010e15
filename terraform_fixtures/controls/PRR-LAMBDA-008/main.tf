# Fixtures for PRR-LAMBDA-008: resources are named by the verdict they must get.
variable "runtime" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_lambda_function" "pass_python313" {
  function_name = "pass-python313"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_python38_deprecated" {
  function_name = "fail-python38-deprecated"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.8"
}
resource "aws_lambda_function" "fail_nodejs20_deprecated" {
  function_name = "fail-nodejs20-deprecated"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "nodejs20.x"
}
resource "aws_lambda_function" "na_container_image" {
  function_name = "na-container-image"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  package_type = "Image"
  image_uri    = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"
}
resource "aws_lambda_function" "unknown_runtime_not_in_table" {
  function_name = "unknown-runtime-not-in-table"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "nodejs99.x"
}
resource "aws_lambda_function" "unknown_runtime_from_variable" {
  function_name = "unknown-runtime-from-variable"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = var.runtime
}
