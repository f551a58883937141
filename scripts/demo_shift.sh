#!/usr/bin/env bash
# Runs examples/terraform/upgrade-with-shift through a whole blue-green upgrade with traffic
# shift, against the ELBv2 stand-in (moto + health/draining wrapper) on 127.0.0.1, printing
# each phase. Needs terraform, moto and a built provider (BUILD_DIR, default build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
provider="${BG_PROVIDER_BINARY:-$root/${BUILD_DIR:-build}/terraform-provider-bluegreen}"
[ -x "$provider" ] || { echo "build the provider first ($provider)" >&2; exit 1; }
command -v terraform >/dev/null || { echo "terraform is not on PATH" >&2; exit 1; }
python3 -c 'import moto, werkzeug' 2>/dev/null || {
  echo "the Python package moto is missing for $(command -v python3): pip install 'moto[server]'" >&2
  exit 1
}

work=$(mktemp -d /tmp/bluegreen-shift-demo.XXXXXX)
cp -r examples/terraform/upgrade-with-shift "$work/repo"
mkdir "$work/provider" && ln -s "$provider" "$work/provider/terraform-provider-bluegreen"
cat >"$work/terraformrc" <<TFRC
provider_installation {
  dev_overrides {
    "spoonknife/bluegreen" = "$work/provider"
  }
  direct {}
}
TFRC
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$work/terraformrc" HOME="$work"

# The stand-in and a target group holding the spoon cluster's ingress.
python3 tests/e2e/support/elbv2_standin.py >"$work/port" 2>"$work/standin.log" &
standin=$!
trap 'kill $standin 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(head -1 "$work/port")"
arn=$(python3 - "$endpoint" <<'PY'
import re, sys
sys.path.insert(0, "tests/e2e/support")
from elbv2_standin import StandInProcess
s = StandInProcess(); s.endpoint = sys.argv[1]
s.control("config", {"deregistration_delay": 1.0, "default_health": {"initial_polls": 1}})
vpc = re.search(r"<vpcId>(.*?)</vpcId>", s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")[1]).group(1)
xml = s.elbv2("CreateTargetGroup", Name="ingress", Protocol="HTTP", Port="80", VpcId=vpc,
              TargetType="ip")[1]
arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
ids = {"Targets.member.%d.Id" % i: "10.0.0.1%d" % i for i in (1, 2, 3)}
s.elbv2("RegisterTargets", TargetGroupArn=arn, **ids)
print(arn)
PY
)
cd "$work/repo"
git init -q .
phase() { printf '\n\033[1m### %s\033[0m\n' "$*"; }
tf() { terraform "$@" -input=false -no-color -var "elbv2_endpoint=$endpoint" \
         -var "target_group_arn=$arn"; }

phase "1. duplicate: aws-prod-knife.tf is written; no traffic moves yet (percent = 0)"
tf apply -auto-approve | grep -E "Apply complete"
ls *.tf
phase "2. create the knife cluster"
tf apply -auto-approve | grep -E "Apply complete"
phase "3. plan the first half of the traffic shift: the walk is in the plan"
tf plan -var percent=50 | sed -n '/steps/,/]/p'
phase "4. apply it: each new target healthy before an old one leaves"
TF_LOG_PROVIDER=INFO tf apply -auto-approve -var percent=50 2>&1 \
  | grep -oE 'step (register|deregister) [0-9.]+: [a-z]+, [0-9]+% on to_targets|Apply complete.*'
phase "5. teardown too early is refused: spoon ingress still serves"
tf plan -var percent=50 -var live=knife -var standby=false 2>&1 \
  | grep -E "Teardown refused|still registered" || true
phase "6. the rest of the shift"
TF_LOG_PROVIDER=INFO tf apply -auto-approve -var percent=100 2>&1 \
  | grep -oE 'step (register|deregister) [0-9.]+: [a-z]+, [0-9]+% on to_targets|Apply complete.*'
phase "7. promote (live = knife), then tear spoon down"
tf apply -auto-approve -var percent=100 -var live=knife | grep -E "Apply complete"
tf apply -auto-approve -var percent=100 -var live=knife -var standby=false \
  | grep -E "Apply complete"
ls *.tf
phase "8. the old cluster is destroyed, then nothing is left to do"
tf apply -auto-approve -var percent=100 -var live=knife -var standby=false \
  | grep -E "eks_spoon|Apply complete"
tf plan -detailed-exitcode -var percent=100 -var live=knife -var standby=false | tail -2
echo "demo workspace: $work"
