# The live cluster. A terraform_data stands in for the EKS module so the example runs anywhere.
resource "terraform_data" "eks_spoon" {
  input = {
    cluster_name    = "aws-prod-spoon"
    cluster_version = "1.15"
  }
}
