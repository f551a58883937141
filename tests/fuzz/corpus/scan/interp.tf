m = "${jsonencode({a = "}"})}" /* c
*/ apiVersion = "batch/v1beta1" kind = "CronJob"
