#!/usr/bin/env python3
"""Traffic-shift figures (issue 3). Prints, never asserts.

A full 3+3 walk against the ELBv2 stand-in (moto + draining wrapper, deregistration delay 2 s,
every new target healthy at once), two ways, in the same run:

  1. bluegreen_traffic_shift: `terraform apply` with soak_seconds = 0 and
     poll_interval_seconds = P (default 3): wall time of the apply command, ELBv2 calls made
     during the walk (first RegisterTargets to the end) per step, and all calls of the command
     (its plan included).
  2. the walk a person types with the AWS CLI:
        aws elbv2 register-targets ...; aws elbv2 wait target-in-service ...
        aws elbv2 deregister-targets ...; aws elbv2 wait target-deregistered ...   (x3)
     The AWS CLI is not installed here, so this is an emulation in Python making the same
     Query API calls with the CLI waiters' documented behaviour (botocore elbv2 waiters-2):
     poll DescribeTargetHealth for that target at once, then every 15 s, up to 40 times;
     target-in-service succeeds on "healthy", target-deregistered on "unused", on
     InvalidTarget, or when the target is no longer listed. The CLI's own process start-up
     (about 0.3-0.6 s per command) is NOT added, which flatters the CLI.

Usage: bench/traffic_shift_bench.py [--provider PATH] [--poll 3]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e", "support"))
from elbv2_standin import StandInProcess  # noqa: E402

OLD = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
NEW = ["10.0.1.1", "10.0.1.2", "10.0.1.3"]
CLI_DELAY, CLI_ATTEMPTS = 15, 40

MAIN_TF = """terraform {
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
}
provider "bluegreen" {
  region     = "us-east-1"
  access_key = "testing"
  secret_key = "testing"
  endpoints {
    elbv2 = "%(endpoint)s"
  }
}
resource "bluegreen_traffic_shift" "t" {
  target_group_arn      = "%(arn)s"
  from_targets          = [%(old)s]
  to_targets            = [%(new)s]
  soak_seconds          = 0
  poll_interval_seconds = %(poll)d
}
"""


def new_group(s, name):
    status, xml = s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
    vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
    status, xml = s.elbv2("CreateTargetGroup", Name=name, Protocol="HTTP", Port="80",
                          VpcId=vpc, TargetType="ip")
    arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
    targets(s, "RegisterTargets", arn, OLD)
    return arn


def targets(s, action, arn, ids):
    params = {"TargetGroupArn": arn}
    for i, tid in enumerate(ids, 1):
        params["Targets.member.%d.Id" % i] = tid
    status, xml = s.elbv2(action, **params)
    if status != 200:
        raise RuntimeError("%s: %s" % (action, xml))


def provider_walk(s, provider, poll):
    arn = new_group(s, "bench-provider")
    root = tempfile.mkdtemp(prefix="bg-bench-shift-")
    try:
        pdir = os.path.join(root, ".provider")
        os.makedirs(pdir)
        os.symlink(os.path.abspath(provider), os.path.join(pdir, "terraform-provider-bluegreen"))
        with open(os.path.join(root, ".terraformrc"), "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "spoonknife/bluegreen" = '
                    '"%s"\n  }\n  direct {}\n}\n' % pdir)
        with open(os.path.join(root, "main.tf"), "w") as f:
            f.write(MAIN_TF % {"endpoint": s.endpoint, "arn": arn, "poll": poll,
                               "old": ", ".join('{ id = "%s" }' % t for t in OLD),
                               "new": ", ".join('{ id = "%s" }' % t for t in NEW)})
        env = dict(os.environ, TF_CLI_CONFIG_FILE=os.path.join(root, ".terraformrc"),
                   HOME=root, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
        mark = len(s.control("log")["calls"])
        t0 = time.monotonic()
        subprocess.run(["terraform", "apply", "-auto-approve", "-no-color"], cwd=root, env=env,
                       check=True, capture_output=True)
        wall = time.monotonic() - t0
    finally:
        shutil.rmtree(root, True)
    calls = [c for c in s.control("log")["calls"][mark:] if c["target_group"] == arn]
    first = next(i for i, c in enumerate(calls) if c["action"] == "RegisterTargets")
    return wall, len(calls[first:]), len(calls)


def cli_wait(s, arn, target, done):
    """One `aws elbv2 wait ...`: poll at once, then every 15 s (botocore waiter)."""
    for attempt in range(CLI_ATTEMPTS):
        status, xml = s.elbv2("DescribeTargetHealth", TargetGroupArn=arn,
                              **{"Targets.member.1.Id": target})
        if done(status, xml, target):
            return
        time.sleep(CLI_DELAY)
    raise RuntimeError("waiter gave up on %s" % target)


def state_of(xml, target):
    for m in re.findall(r"<member>(.*?)</member>", xml, re.S):
        if re.search(r"<Id>%s</Id>" % re.escape(target), m):
            return re.search(r"<State>(.*?)</State>", m).group(1)
    return None


def in_service(status, xml, target):
    return status == 200 and state_of(xml, target) == "healthy"


def deregistered(status, xml, target):
    if status != 200:
        return "InvalidTarget" in xml
    return state_of(xml, target) in (None, "unused")


def cli_walk(s):
    arn = new_group(s, "bench-cli")
    mark = len(s.control("log")["calls"])
    t0 = time.monotonic()
    for new, old in zip(NEW, OLD):
        targets(s, "RegisterTargets", arn, [new])
        cli_wait(s, arn, new, in_service)
        targets(s, "DeregisterTargets", arn, [old])
        cli_wait(s, arn, old, deregistered)
    wall = time.monotonic() - t0
    return wall, len(s.control("log")["calls"][mark:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--provider", default=os.environ.get(
        "BG_PROVIDER_BINARY", os.path.join(HERE, "..", "build", "terraform-provider-bluegreen")))
    ap.add_argument("--poll", type=int, default=3, help="poll_interval_seconds")
    args = ap.parse_args()
    with StandInProcess() as s:
        s.control("config", {"deregistration_delay": 2.0})
        p_wall, p_walk_calls, p_all = provider_walk(s, args.provider, args.poll)
        c_wall, c_calls = cli_walk(s)
    steps = 2 * len(NEW)
    print("3+3 walk, soak 0, deregistration delay 2 s, new targets healthy at once")
    print("bluegreen_traffic_shift (poll %d s): %.1f s wall (whole terraform apply), "
          "%d ELBv2 calls in the walk = %.2f per step; %d calls in the command incl. plan"
          % (args.poll, p_wall, p_walk_calls, p_walk_calls / steps, p_all))
    print("AWS CLI walk (emulated waiters, 15 s polling): %.1f s wall, %d calls = %.2f per "
          "step" % (c_wall, c_calls, c_calls / steps))
    print("provider / CLI wall time: %.2fx" % (p_wall / c_wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
