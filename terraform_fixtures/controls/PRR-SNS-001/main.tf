# Fixtures for PRR-SNS-001: resources are named by the verdict they must get.
variable "topic_key" {}
resource "aws_sns_topic" "pass_customer_key" {
  name              = "orders-events"
  kms_master_key_id = "arn:aws:kms:eu-west-1:123456789012:key/6f1a2b3c-1111-2222-3333-444455556666"
}
resource "aws_sns_topic" "fail_aws_managed_key" {
  name              = "orders-aws-key"
  kms_master_key_id = "alias/aws/sns"
}
resource "aws_sns_topic" "fail_unencrypted" {
  name = "orders-plain"
}
resource "aws_sns_topic" "unknown_key_from_variable" {
  name              = "orders-var"
  kms_master_key_id = var.topic_key
}
