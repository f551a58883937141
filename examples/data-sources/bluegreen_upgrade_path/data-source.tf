data "bluegreen_upgrade_path" "eks" {
  kubernetes_from = "1.15"
  kubernetes_to   = "1.18"
  istio_from      = "1.4"
  istio_to        = "1.8"
  clusters        = 7
}

output "upgrade_plan" {
  value = {
    steps          = data.bluegreen_upgrade_path.eks.step_count     # 7
    total_upgrades = data.bluegreen_upgrade_path.eks.total_upgrades # 49
    strategy       = data.bluegreen_upgrade_path.eks.strategy       # "blue_green"
    reason         = data.bluegreen_upgrade_path.eks.reason
  }
}
