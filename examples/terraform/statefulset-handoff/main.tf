# Hand the logging stack's Elasticsearch over from aws-tools-spoon to aws-tools-knife: stop
# Logstash, quiesce Elasticsearch, stop it in spoon, release spoon's node group, start it in
# knife, wait for green, start Logstash in knife. tests/e2e/test_statefulset_handoff.py applies
# this directory against the Kubernetes and AWS stand-ins on 127.0.0.1.
terraform {
  required_providers {
    bluegreen = {
      source = "spoonknife/bluegreen"
    }
  }
}

# AWS access (region, credentials, endpoints) comes from the usual environment and files.
provider "bluegreen" {}

variable "kubeconfig" {
  type        = string
  description = "A kubeconfig with a context for the old cluster."
  default     = "~/.kube/config"
}

variable "spoon_context" {
  type    = string
  default = "aws-tools-spoon"
}

variable "knife_endpoint" {
  type        = string
  description = "API server of the new cluster (an aws_eks_cluster's endpoint)."
}

variable "knife_ca_file" {
  type        = string
  description = "PEM file of the new cluster's CA."
}

variable "knife_token" {
  type      = string
  sensitive = true
}

variable "old_node_group" {
  type        = string
  description = "Auto Scaling group of the old cluster's Elasticsearch nodes."
  default     = "aws-tools-spoon-elastic"
}

resource "bluegreen_statefulset_handoff" "logging" {
  from_cluster = {
    config_path    = var.kubeconfig
    config_context = var.spoon_context
  }
  to_cluster = {
    host                   = var.knife_endpoint
    cluster_ca_certificate = file(var.knife_ca_file)
    token                  = var.knife_token
  }

  namespace = "elasticsearch"
  statefulsets = [
    { name = "elastic-master", replicas = 3 },
    { name = "elastic-data", replicas = 3 },
    { name = "elastic-coordinating", replicas = 2 },
  ]
  pause = [{ namespace = "logstash", name = "logstash-kubernetes", replicas = 2 }]

  elasticsearch = { service = "elasticsearch/elastic-master:9200" }
  node_group    = { autoscaling_group_name = var.old_node_group }

  health_timeout_seconds = 600
  poll_interval_seconds  = 5
}

output "steps_taken" {
  value = [for s in bluegreen_statefulset_handoff.logging.steps : "${s.action} ${s.cluster} ${s.target}"]
}
