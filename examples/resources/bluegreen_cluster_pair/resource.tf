resource "bluegreen_cluster_pair" "prod" {
  directory = "clusters/prod" # holds aws-prod-spoon.tf, aws-prod-spoon-nodes.tf, shared.tf...
  name      = "aws-prod"
  live      = "spoon" # 1. duplicate  ->  3. "knife" promotes
  standby   = true    # 4. false tears the old (non-live) color down

  substitutions = {
    "1.15"      = "1.18" # Kubernetes
    "istio-1-4" = "istio-1-8"
  }
}
