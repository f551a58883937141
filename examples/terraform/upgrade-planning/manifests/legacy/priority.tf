# Kept for reference; this module is not applied from here.
resource "kubernetes_manifest" "batch_priority" {
  manifest = {
    apiVersion = "scheduling.k8s.io/v1alpha1"
    kind       = "PriorityClass"
    metadata   = { name = "batch" }
    value      = 1000
  }
}
