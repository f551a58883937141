# Shared by both clusters and never duplicated: its name does not contain aws-prod-<color>.
locals {
  environment = "prod"
}
