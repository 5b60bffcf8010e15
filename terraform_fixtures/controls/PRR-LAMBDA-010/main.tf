# Fixtures for PRR-LAMBDA-010: resources are named by the verdict they must get.
variable "auth_type" {}
resource "aws_iam_role" "lambda" {
  name                 = "fixture-lambda"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_lambda_function" "target" {
  function_name = "target"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function_url" "pass_iam_auth" {
  function_name      = aws_lambda_function.target.function_name
  authorization_type = "AWS_IAM"
}
resource "aws_lambda_function_url" "fail_auth_none" {
  function_name      = aws_lambda_function.target.function_name
  authorization_type = "NONE"
}
resource "aws_lambda_function_url" "unknown_auth_from_variable" {
  function_name      = aws_lambda_function.target.function_name
  authorization_type = var.auth_type
}
