# Fixtures for PRR-ESM-001: resources are named by the verdict they must get.
variable "source_arn" {}
resource "aws_lambda_event_source_mapping" "pass_sqs_reports_failures" {
  event_source_arn        = "arn:aws:sqs:eu-west-1:123456789012:orders-in"
  function_name           = "orders-worker"
  function_response_types = ["ReportBatchItemFailures"]
}
resource "aws_lambda_event_source_mapping" "fail_sqs_whole_batch" {
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:orders-in"
  function_name    = "orders-worker"
}
resource "aws_lambda_event_source_mapping" "na_mq_source" {
  event_source_arn = "arn:aws:mq:eu-west-1:123456789012:broker:orders:b-1234"
  function_name    = "orders-worker"
}
resource "aws_lambda_event_source_mapping" "unknown_source_from_variable" {
  event_source_arn = var.source_arn
  function_name    = "orders-worker"
}
