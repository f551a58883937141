# A blue-green cluster upgrade where each cluster has its own target group: duplicate the
# cluster files, move the ALB listener's forward weights to the new cluster's group through a
# schedule, each step gated on the new group's health and a 5xx alarm, promote, and tear the
# old cluster down once its group has no weight left. tests/e2e/test_weighted_shift.py runs
# every phase against the AWS stand-in (moto) on 127.0.0.1.
terraform {
  required_providers {
    bluegreen = {
      source = "spoonknife/bluegreen"
    }
  }
}

variable "aws_endpoint" {
  type        = string
  description = "ELBv2 and CloudWatch endpoint: the stand-in's URL in the test (drop the endpoints block for AWS)."
}

variable "listener_arn" {
  type = string
}

variable "spoon_target_group_arn" {
  type = string
}

variable "knife_target_group_arn" {
  type = string
}

variable "alarm_name" {
  type        = string
  description = "A CloudWatch alarm on the new cluster's 5xx rate."
}

variable "live" {
  type    = string
  default = "spoon"
}

variable "standby" {
  type    = bool
  default = true
}

variable "percent" {
  type    = number
  default = 0
}

locals {
  groups = {
    spoon = var.spoon_target_group_arn
    knife = var.knife_target_group_arn
  }
  old = var.live == "spoon" ? "knife" : "spoon"
}

provider "bluegreen" {
  region     = "us-east-1"
  access_key = "testing" # the stand-in accepts any key; use the AWS chain for real accounts
  secret_key = "testing"
  endpoints {
    elbv2      = var.aws_endpoint
    cloudwatch = var.aws_endpoint
  }
}

resource "bluegreen_cluster_pair" "prod" {
  directory     = "."
  name          = "aws-prod"
  live          = var.live
  standby       = var.standby
  substitutions = { "1.15" = "1.18" }

  # The old cluster's files cannot be removed while its target group has weight in the
  # listener or still has healthy targets.
  teardown_guard {
    target_group_arn = local.groups[local.old]
    listener_arn     = var.listener_arn
  }
}

resource "bluegreen_weighted_shift" "prod" {
  listener_arn          = var.listener_arn
  from_target_group_arn = var.spoon_target_group_arn
  to_target_group_arn   = var.knife_target_group_arn
  percent               = var.percent
  schedule              = [10, 25, 50, 75, 100]
  alarm_names           = [var.alarm_name]

  soak_seconds          = 1 # 300 in production
  poll_interval_seconds = 1
  on_failure            = "rollback_step"
}

output "current_percent" {
  value = bluegreen_weighted_shift.prod.current_percent
}
