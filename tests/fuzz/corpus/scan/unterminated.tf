z = <<EOT
apiVersion: batch/v1beta1
