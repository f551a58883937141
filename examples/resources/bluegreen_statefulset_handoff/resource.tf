locals {
  # usually data.aws_eks_cluster.spoon.endpoint and base64decode(...certificate_authority[0].data)
  spoon_endpoint = "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"
  spoon_ca_pem   = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
}

resource "bluegreen_statefulset_handoff" "logging" {
  from_cluster = {
    host                   = local.spoon_endpoint
    cluster_ca_certificate = local.spoon_ca_pem
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", "aws-tools-spoon"]
    }
  }
  to_cluster = {
    config_path    = "~/.kube/config"
    config_context = "aws-tools-knife"
  }

  namespace = "elasticsearch"
  statefulsets = [ # started in this order, stopped in the reverse one
    { name = "elastic-master", replicas = 3 },
    { name = "elastic-data", replicas = 12 },
    { name = "elastic-coordinating", replicas = 4 },
  ]
  pause = [{ namespace = "logstash", name = "logstash-kubernetes", replicas = 2 }]

  elasticsearch = { service = "elasticsearch/elastic-master:9200" }
  node_group    = { autoscaling_group_name = "aws-tools-spoon-elastic" }

  health_timeout_seconds = 1800
  poll_interval_seconds  = 10
}
