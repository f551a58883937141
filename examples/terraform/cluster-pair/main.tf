# A blue-green cluster upgrade declared in the repository that holds the clusters.
#
# aws-prod-spoon.tf is the live cluster (a terraform_data stands in for the EKS module so the
# example runs anywhere). The pair duplicates it as aws-prod-knife.tf with the newer version;
# the next apply creates the standby cluster. Promote with live = "knife", then tear the old
# cluster down with standby = false: the next apply destroys it.
terraform {
  required_providers {
    bluegreen = {
      source = "spoonknife/bluegreen"
    }
  }
}

provider "bluegreen" {}

variable "live" {
  type    = string
  default = "spoon"
}

variable "standby" {
  type    = bool
  default = true
}

resource "bluegreen_cluster_pair" "prod" {
  directory = "."
  name      = "aws-prod"
  live      = var.live
  standby   = var.standby

  substitutions = {
    "1.15"      = "1.18"
    "istio-1-4" = "istio-1-8"
  }
}

output "live_cluster" {
  value = bluegreen_cluster_pair.prod.live_cluster
}

output "standby_files" {
  value = bluegreen_cluster_pair.prod.files
}
