resource "terraform_data" "eks_spoon" {
  input = {
    name    = "aws-prod-spoon"
    version = "1.15"
    cidr    = "10.1.0.0/16"
    istio   = "istio-1-4"
    old     = "1.150"
  }
}
