variable "boundary" {}
resource "aws_iam_role" "r" {
  name                 = "svc"
  assume_role_policy   = "{}"
  permissions_boundary = var.boundary
}
resource "aws_lambda_function" "f" {
  function_name = "svc"
  role          = aws_iam_role.r.arn
  handler       = "app.handler"
  runtime       = "python3.13"
  filename      = "app.zip"
  tracing_config {
    mode = "Active"
  }
}
resource "aws_lambda_function_event_invoke_config" "c" {
  function_name = aws_lambda_function.f.function_name
  destination_config {
    on_failure {
      destination = "arn:aws:sqs:eu-west-1:123456789012:q"
    }
  }
}
