# Fixtures for PRR-CODEDEPLOY-001: resources are named by the verdict they must get.
variable "deployment_config" {}
resource "aws_codedeploy_deployment_group" "pass_canary_alarms_rollback" {
  app_name               = "orders"
  deployment_group_name  = "orders-api"
  service_role_arn       = "arn:aws:iam::123456789012:role/codedeploy"
  deployment_config_name = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
  deployment_style {
    deployment_option = "WITH_TRAFFIC_CONTROL"
    deployment_type   = "BLUE_GREEN"
  }
  alarm_configuration {
    enabled = true
    alarms  = ["orders-api-errors"]
  }
  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }
}
resource "aws_codedeploy_deployment_group" "fail_all_at_once_no_alarms" {
  app_name               = "orders"
  deployment_group_name  = "orders-worker"
  service_role_arn       = "arn:aws:iam::123456789012:role/codedeploy"
  deployment_config_name = "CodeDeployDefault.LambdaAllAtOnce"
}
resource "aws_codedeploy_deployment_group" "na_server_deployment" {
  app_name               = "legacy"
  deployment_group_name  = "fleet"
  service_role_arn       = "arn:aws:iam::123456789012:role/codedeploy"
  deployment_config_name = "CodeDeployDefault.OneAtATime"
}
resource "aws_codedeploy_deployment_group" "unknown_config_from_variable" {
  app_name               = "orders"
  deployment_group_name  = "orders-var"
  service_role_arn       = "arn:aws:iam::123456789012:role/codedeploy"
  deployment_config_name = var.deployment_config
}
