data "bluegreen_deprecated_apis" "manifests" {
  directory          = "${path.module}/k8s"
  kubernetes_version = "1.25"
}

output "removed_apis" {
  value = [for f in data.bluegreen_deprecated_apis.manifests.findings :
  "${f.file}:${f.line} ${f.api_version} ${f.kind} (removed in ${f.removed_in}, use ${f.replacement})"]
}
