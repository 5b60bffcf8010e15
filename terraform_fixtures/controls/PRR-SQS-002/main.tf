# Fixtures for PRR-SQS-002: resources are named by the verdict they must get.
variable "dlq_arn" {}
resource "aws_sqs_queue" "pass_redrive_to_dlq" {
  name = "orders-in"
  redrive_policy = jsonencode({
    deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"
    maxReceiveCount     = 5
  })
}
resource "aws_sqs_queue" "fail_no_redrive" {
  name = "orders-no-redrive"
}
resource "aws_sqs_queue" "fail_too_many_receives" {
  name = "orders-retry-forever"
  redrive_policy = jsonencode({
    deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"
    maxReceiveCount     = 1000
  })
}
resource "aws_sqs_queue" "na_is_a_dlq" {
  name = "orders-dlq"
}
resource "aws_sqs_queue" "na_allows_redrive_to_it" {
  name = "orders-failures"
  redrive_allow_policy = jsonencode({
    redrivePermission = "allowAll"
  })
}
resource "aws_sqs_queue" "unknown_target_from_variable" {
  name           = "orders-var"
  redrive_policy = var.dlq_arn
}
