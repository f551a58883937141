# The ID is <directory>:<name>.
terraform import bluegreen_cluster_pair.prod clusters/prod:aws-prod
