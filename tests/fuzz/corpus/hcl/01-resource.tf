resource "x" "eks_blue" {
  cluster_name = "aws-prod-blue"
  version = "1.15" # k8s
  tags = {
    color = "blue"
    spoonful = "yes"
  }
}
