x = "apiVersion: batch/v1beta1\nkind: CronJob\n"
y = <<-EOT
  apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  EOT
