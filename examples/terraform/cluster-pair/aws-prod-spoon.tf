# The live production cluster. In a real repository this is module "eks_spoon" { ... }.
resource "terraform_data" "eks_spoon" {
  input = {
    cluster_name    = "aws-prod-spoon"
    cluster_version = "1.15"
    istio_revision  = "istio-1-4"
  }
}

output "eks_spoon_version" {
  value = terraform_data.eks_spoon.input.cluster_version
}
