# Fixtures for PRR-KMS-001: resources are named by the verdict they must get.
variable "rotate" {}
resource "aws_kms_key" "pass_rotation_enabled" {
  description         = "orders"
  enable_key_rotation = true
}
resource "aws_kms_key" "fail_rotation_default_off" {
  description = "orders, no rotation"
}
resource "aws_kms_key" "fail_rotation_disabled" {
  description         = "orders, rotation off"
  enable_key_rotation = false
}
resource "aws_kms_key" "na_asymmetric_signing_key" {
  description              = "release signing"
  customer_master_key_spec = "ECC_NIST_P256"
  key_usage                = "SIGN_VERIFY"
}
resource "aws_kms_key" "unknown_rotation_from_variable" {
  description         = "orders, rotation from a variable"
  enable_key_rotation = var.rotate
}
