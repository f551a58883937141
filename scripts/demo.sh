#!/usr/bin/env bash
# Installs what is missing, builds the provider, lays out a filesystem mirror and walks the
# cluster-pair example through a whole blue-green upgrade with the real terraform binary.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/deps.sh
BUILD_DIR=build scripts/build.sh
command -v terraform >/dev/null || { echo "terraform is not on PATH" >&2; exit 1; }

work=$(mktemp -d /tmp/bluegreen-demo.XXXXXX)
cmake --install build --prefix "$work/mirror" >/dev/null
cp -r examples/terraform/cluster-pair "$work/repo"
cd "$work/repo"
git init -q .
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$work/terraformrc"
: >"$TF_CLI_CONFIG_FILE"

phase() { printf '\n\033[1m### %s\033[0m\n' "$*"; }
files() { echo "files: $(ls *.tf | tr '\n' ' ')"; }

phase "init from the filesystem mirror ($work/mirror)"
terraform init -input=false -plugin-dir="$work/mirror" >/dev/null && echo "initialised"
files

phase "1. plan: the standby cluster's files, with the exact hash of each"
terraform plan -input=false -no-color | sed -n '/will be created/,/^Plan:/p'

phase "2. apply: aws-prod-knife.tf is written"
terraform apply -input=false -auto-approve -no-color >/dev/null
files
diff aws-prod-spoon.tf aws-prod-knife.tf || true

phase "3. apply again: the standby cluster itself is created"
terraform apply -input=false -auto-approve -no-color | grep -E "eks_knife|Apply complete"

phase "4. promote: live = knife (no file changes)"
terraform apply -input=false -auto-approve -no-color -var live=knife | grep -E "Apply complete"
files

phase "5. teardown: standby = false removes the old cluster's files"
terraform apply -input=false -auto-approve -no-color -var live=knife -var standby=false \
  | grep -E "Apply complete"
files

phase "6. apply: the old cluster is destroyed"
terraform apply -input=false -auto-approve -no-color -var live=knife -var standby=false \
  | grep -E "eks_spoon|Apply complete"

phase "7. nothing left to do"
terraform plan -input=false -no-color -detailed-exitcode -var live=knife -var standby=false \
  | tail -2
echo "demo workspace: $work"

printf '\n\033[1m=== The same upgrade with the ALB traffic shift, against moto on 127.0.0.1 ===\033[0m\n'
cd "$root"
if ! python3 -c 'import moto, werkzeug' 2>/dev/null; then
  echo "skipped: the traffic-shift half needs the Python package moto (AWS emulated on" \
    "127.0.0.1), which $(command -v python3) cannot import: pip install 'moto[server]'"
  exit 0
fi
BUILD_DIR=build scripts/demo_shift.sh
