terraform {
  required_providers {
    bluegreen = {
      source = "spoonknife/bluegreen"
    }
  }
}

# Every setting is optional. Configurations that use only bluegreen_cluster_pair and the
# upgrade-planning data sources need no AWS settings at all.
provider "bluegreen" {
  # repository_root = "."   # default: the git top-level of the working directory

  region      = "eu-west-1" # default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region
  max_retries = 5           # throttled or failed ELBv2 calls, with jittered backoff
}
