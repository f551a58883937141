m = {
  "é" = 1
  ab = 2
}
a = 1 // x
long = 22 /* y */
z = 4 # c
zzzzz = 5 # cc
