# A whole blue-green cluster upgrade: duplicate the cluster files, shift the ALB traffic to the
# new cluster's ingress in health-gated steps, promote, and tear the old cluster down once no
# old ingress target is left in the target group. scripts/demo_shift.sh runs every phase
# against the ELBv2 stand-in (moto) on 127.0.0.1.
terraform {
  required_providers {
    bluegreen = {
      source = "spoonknife/bluegreen"
    }
  }
}

variable "elbv2_endpoint" {
  type        = string
  description = "ELBv2 endpoint (the stand-in's URL in the demo)."
}

variable "target_group_arn" {
  type = string
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
  spoon_ingress = ["10.0.0.11", "10.0.0.12", "10.0.0.13"]
  knife_ingress = ["10.0.1.11", "10.0.1.12", "10.0.1.13"]
}

provider "bluegreen" {
  region     = "us-east-1"
  access_key = "testing" # the stand-in accepts any key; use the AWS chain for real accounts
  secret_key = "testing"
  endpoints {
    elbv2 = var.elbv2_endpoint
  }
}

resource "bluegreen_cluster_pair" "prod" {
  directory     = "."
  name          = "aws-prod"
  live          = var.live
  standby       = var.standby
  substitutions = { "1.15" = "1.18" }

  # The old cluster's files cannot be removed while its ingress still serves.
  teardown_guard {
    target_group_arn = var.target_group_arn
    targets          = var.live == "spoon" ? local.knife_ingress : local.spoon_ingress
  }
}

resource "bluegreen_traffic_shift" "ingress" {
  target_group_arn = var.target_group_arn
  from_targets     = [for ip in local.spoon_ingress : { id = ip }]
  to_targets       = [for ip in local.knife_ingress : { id = ip }]
  percent          = var.percent

  soak_seconds          = 1 # 300 in production: the autoscalers' detection threshold
  poll_interval_seconds = 1
}

output "current_percent" {
  value = bluegreen_traffic_shift.ingress.current_percent
}
