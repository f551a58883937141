locals {
  spoon_ingress_ips = ["10.0.0.11", "10.0.0.12", "10.0.0.13"]
  knife_ingress_ips = ["10.1.0.11", "10.1.0.12", "10.1.0.13"]
}

resource "bluegreen_traffic_shift" "prod_ingress" {
  # usually aws_lb_target_group.ingress.arn
  target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ingress/0123456789abcdef"

  from_targets = [for ip in local.spoon_ingress_ips : { id = ip }]
  to_targets   = [for ip in local.knife_ingress_ips : { id = ip, port = 30080 }]

  percent      = 50  # first pull request: half the traffic; a later one sets 100
  soak_seconds = 300 # five minutes after each step

  on_failure = "rollback_step"
  on_destroy = "keep"
}
