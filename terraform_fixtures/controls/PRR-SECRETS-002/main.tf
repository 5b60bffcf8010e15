# Fixtures for PRR-SECRETS-002: resources are named by the verdict they must get.
variable "secret_key" {}
resource "aws_secretsmanager_secret" "pass_customer_key" {
  name       = "orders-db"
  kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/6f1a2b3c-1111-2222-3333-444455556666"
}
resource "aws_secretsmanager_secret" "fail_default_key" {
  name = "orders-default"
}
resource "aws_secretsmanager_secret" "fail_aws_managed_key" {
  name       = "orders-aws-key"
  kms_key_id = "alias/aws/secretsmanager"
}
resource "aws_secretsmanager_secret" "unknown_key_from_variable" {
  name       = "orders-var"
  kms_key_id = var.secret_key
}
