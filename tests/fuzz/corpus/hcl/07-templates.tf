k = "%{ for x in y }${x}%{ endfor }"
kk = "$${x}"
t = <<-EOT
  ${a}
    b
  EOT
