# Fixtures for PRR-LAMBDA-012: resources are named by the verdict they must get.
variable "boundary_arn" {}
resource "aws_iam_role" "own" {
  name               = "fixture-own"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_iam_role" "no_boundary" {
  name               = "fixture-no-boundary"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
resource "aws_iam_role" "shared" {
  name               = "fixture-shared"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
resource "aws_iam_role" "boundary_from_variable" {
  name               = "fixture-boundary-from-variable"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
  permissions_boundary = var.boundary_arn
}
resource "aws_lambda_function" "pass_own_role_with_boundary" {
  function_name = "pass-own-role-with-boundary"
  role          = aws_iam_role.own.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_role_without_boundary" {
  function_name = "fail-role-without-boundary"
  role          = aws_iam_role.no_boundary.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_shared_role_a" {
  function_name = "fail-shared-role-a"
  role          = aws_iam_role.shared.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "fail_shared_role_b" {
  function_name = "fail-shared-role-b"
  role          = aws_iam_role.shared.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "unknown_role_outside_config" {
  function_name = "unknown-role-outside-config"
  role          = "arn:aws:iam::123456789012:role/created-elsewhere"
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
resource "aws_lambda_function" "unknown_boundary_from_variable" {
  function_name = "unknown-boundary-from-variable"
  role          = aws_iam_role.boundary_from_variable.arn
  handler       = "app.handler"
  filename      = "app.zip"
  runtime       = "python3.13"
}
