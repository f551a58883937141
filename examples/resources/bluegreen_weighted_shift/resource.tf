resource "bluegreen_weighted_shift" "prod" {
  # usually aws_lb_listener.https.arn and the two clusters' aws_lb_target_group ARNs
  listener_arn          = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/prod/0123456789abcdef/0123456789abcdef"
  from_target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/spoon/0123456789abcdef"
  to_target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/knife/fedcba9876543210"

  percent     = 50                    # first pull request; a later one sets 100
  schedule    = [10, 25, 50, 75, 100] # the default
  alarm_names = ["knife-5xx"]         # usually aws_cloudwatch_metric_alarm.knife_5xx.alarm_name

  soak_seconds = 300
  on_failure   = "rollback_step"
  on_destroy   = "keep"
}
