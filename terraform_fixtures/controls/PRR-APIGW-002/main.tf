# Fixtures for PRR-APIGW-002: resources are named by the verdict they must get.
variable "tracing" {}
resource "aws_api_gateway_stage" "pass_xray" {
  rest_api_id          = "abc123def4"
  deployment_id        = "a1b2c3"
  stage_name           = "prod"
  xray_tracing_enabled = true
}
resource "aws_api_gateway_stage" "fail_xray_default_off" {
  rest_api_id   = "abc123def4"
  deployment_id = "a1b2c3"
  stage_name    = "test"
}
resource "aws_api_gateway_stage" "unknown_xray_from_variable" {
  rest_api_id          = "abc123def4"
  deployment_id        = "a1b2c3"
  stage_name           = "dev"
  xray_tracing_enabled = var.tracing
}
