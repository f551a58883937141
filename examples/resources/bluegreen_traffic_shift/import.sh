# The ID is the target group ARN.
terraform import bluegreen_traffic_shift.prod_ingress \
  arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ingress/0123456789abcdef
