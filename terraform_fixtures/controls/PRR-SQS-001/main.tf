# Fixtures for PRR-SQS-001: resources are named by the verdict they must get.
variable "queue_key" {}
resource "aws_sqs_queue" "pass_customer_key" {
  name              = "orders-cmk"
  kms_master_key_id = "arn:aws:kms:eu-west-1:123456789012:key/6f1a2b3c-1111-2222-3333-444455556666"
}
resource "aws_sqs_queue" "fail_sse_sqs" {
  name                    = "orders-sse"
  sqs_managed_sse_enabled = true
}
resource "aws_sqs_queue" "fail_aws_managed_key" {
  name              = "orders-aws-key"
  kms_master_key_id = "alias/aws/sqs"
}
resource "aws_sqs_queue" "fail_unencrypted" {
  name = "orders-plain"
}
resource "aws_sqs_queue" "unknown_key_from_variable" {
  name              = "orders-var"
  kms_master_key_id = var.queue_key
}
