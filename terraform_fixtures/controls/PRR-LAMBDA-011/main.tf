# Fixtures for PRR-LAMBDA-011: resources are named by the verdict they must get.
variable "source_arn" {}
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
resource "aws_api_gateway_rest_api" "api" {
  name = "fixture-api"
}
resource "aws_lambda_permission" "pass_apigw_source_arn" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.target.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*/*"
}
resource "aws_lambda_permission" "pass_s3_source_account" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.target.function_name
  principal     = "s3.amazonaws.com"
  source_arn     = "arn:aws:s3:::fixture-bucket"
  source_account = "123456789012"
}
resource "aws_lambda_permission" "fail_sns_unscoped" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.target.function_name
  principal     = "sns.amazonaws.com"
}
resource "aws_lambda_permission" "na_account_principal" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.target.function_name
  principal     = "123456789012"
}
resource "aws_lambda_permission" "unknown_source_arn_from_variable" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.target.function_name
  principal     = "events.amazonaws.com"
  source_arn    = var.source_arn
}
