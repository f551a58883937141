# The ID is <listener or rule ARN>,<from target group ARN>,<to target group ARN>.
terraform import bluegreen_weighted_shift.prod \
  arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/prod/0123456789abcdef/0123456789abcdef,arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/spoon/0123456789abcdef,arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/knife/fedcba9876543210
