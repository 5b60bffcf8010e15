# Fixtures for PRR-ESM-002: resources are named by the verdict they must get.
variable "retries" {}
resource "aws_lambda_event_source_mapping" "pass_bounded_stream" {
  event_source_arn              = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
  function_name                 = "clicks"
  starting_position             = "LATEST"
  maximum_retry_attempts        = 3
  maximum_record_age_in_seconds = 600
  destination_config {
    on_failure {
      destination_arn = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"
    }
  }
}
resource "aws_lambda_event_source_mapping" "fail_stream_retries_forever" {
  event_source_arn  = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
  function_name     = "clicks"
  starting_position = "LATEST"
}
resource "aws_lambda_event_source_mapping" "na_sqs_source" {
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:orders-in"
  function_name    = "orders-worker"
}
resource "aws_lambda_event_source_mapping" "unknown_retries_from_variable" {
  event_source_arn              = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
  function_name                 = "clicks"
  starting_position             = "LATEST"
  maximum_retry_attempts        = var.retries
  maximum_record_age_in_seconds = 600
  destination_config {
    on_failure {
      destination_arn = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"
    }
  }
}
