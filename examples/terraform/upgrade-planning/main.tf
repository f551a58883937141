# Upgrade planning in `terraform plan`: the reference team's EKS 1.15 -> 1.18 with Istio
# 1.4 -> 1.8 on 7 clusters, and the manifests that must be migrated before the upgrade.
# Run: terraform init && terraform plan   (see README.md)

terraform {
  required_version = ">= 1.5"
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
}

provider "bluegreen" {}

variable "upgrade_by_blue_green" {
  description = "Acknowledge that this upgrade is done by building new clusters."
  type        = bool
  default     = true
}

data "bluegreen_upgrade_path" "fleet" {
  kubernetes_from = "1.15"
  kubernetes_to   = "1.18"
  istio_from      = "1.4"
  istio_to        = "1.8"
  clusters        = 7
  # Pinned so that the support windows (and this example's plan) do not change every day.
  as_of = "2020-06-01"

  lifecycle {
    # Refuses a pull request that plans a long in-place upgrade without saying so.
    postcondition {
      condition     = self.strategy == "in_place" || var.upgrade_by_blue_green
      error_message = "This upgrade should be done blue-green: ${self.reason}."
    }
  }
}

data "bluegreen_deprecated_apis" "manifests" {
  directory          = "${path.module}/manifests"
  kubernetes_version = data.bluegreen_upgrade_path.fleet.kubernetes_to
}

# A check block only warns: set fail_on_findings = true on the data source to fail the plan.
check "manifests_ready_for_target" {
  assert {
    condition     = data.bluegreen_deprecated_apis.manifests.finding_count == 0
    error_message = "${data.bluegreen_deprecated_apis.manifests.finding_count} object(s) use APIs removed by Kubernetes ${data.bluegreen_upgrade_path.fleet.kubernetes_to}."
  }
}

output "step_count" {
  value = data.bluegreen_upgrade_path.fleet.step_count # 7
}

output "total_upgrades" {
  value = data.bluegreen_upgrade_path.fleet.total_upgrades # 49
}

output "strategy" {
  value = data.bluegreen_upgrade_path.fleet.strategy # "blue_green"
}

output "reason" {
  value = data.bluegreen_upgrade_path.fleet.reason
}

output "steps" {
  value = [for s in data.bluegreen_upgrade_path.fleet.steps : "${s.component} ${s.from} -> ${s.to}"]
}

output "deprecated_apis" {
  value = [for f in data.bluegreen_deprecated_apis.manifests.findings :
  "${f.file}:${f.line} ${f.api_version} ${f.kind} (removed in ${f.removed_in}, use ${f.replacement})"]
}
