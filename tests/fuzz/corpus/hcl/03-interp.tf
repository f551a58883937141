a = "${var.x}" # c
bb = "${ "q" }"
c = "${
  a ? b : c
}"
