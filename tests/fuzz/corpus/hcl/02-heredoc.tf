x = 1
zz = <<EOT
  q = 1
  qqq = 2
EOT
w = 1
