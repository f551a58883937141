# apiVersion = "extensions/v1beta1" in a comment
// kind = "Deployment"
/* resource "kubernetes_manifest" "old" {
  manifest = { apiVersion = "apps/v1beta1", kind = "Deployment" }
} */
resource "kubernetes_manifest" "hpa" {
  manifest = {
    apiVersion = "autoscaling/v2beta2"
    kind       = "HorizontalPodAutoscaler"
    metadata = {
      name      = "web"
      namespace = "default"
    }
  }
}

resource "kubernetes_manifest" "cron" {
  manifest = yamldecode(<<-EOT
    apiVersion: batch/v1beta1
    kind: CronJob
    metadata:
      name: ${var.name}
  EOT
  )
}

locals {
  psp = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: x\n"
}
