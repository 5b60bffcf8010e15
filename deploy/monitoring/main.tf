# Deploys the generated dashboard and alarms of a stack (written by `prr-policies docs build` into
# docs/monitoring/monitoring.json from the stack's plan and prr.yaml's readiness targets). Every
# alarm notifies the on-call topic. Hand-written; the JSON it reads is generated.

variable "monitoring_file" {
  type        = string
  description = "The generated monitoring.json (dashboard name and body, PutMetricAlarm requests)"
  default     = "../../docs/monitoring/monitoring.json"
}

variable "alarm_topic_arn" {
  type        = string
  description = "SNS topic that pages the on-call engineer (readiness.on_call in prr.yaml)"
}

locals {
  monitoring = jsondecode(file("${path.module}/${var.monitoring_file}"))
  alarms     = { for a in local.monitoring.alarms : a.AlarmName => a }
}

resource "aws_cloudwatch_dashboard" "prr" {
  dashboard_name = local.monitoring.dashboard_name
  dashboard_body = jsonencode(local.monitoring.dashboard_body)
}

resource "aws_cloudwatch_metric_alarm" "prr" {
  for_each            = local.alarms
  alarm_name          = each.key
  alarm_description   = each.value.AlarmDescription
  namespace           = each.value.Namespace
  metric_name         = each.value.MetricName
  dimensions          = { for d in each.value.Dimensions : d.Name => d.Value }
  statistic           = try(each.value.Statistic, null)
  extended_statistic  = try(each.value.ExtendedStatistic, null)
  period              = each.value.Period
  evaluation_periods  = each.value.EvaluationPeriods
  datapoints_to_alarm = each.value.DatapointsToAlarm
  threshold           = each.value.Threshold
  comparison_operator = each.value.ComparisonOperator
  treat_missing_data  = each.value.TreatMissingData
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
}
