#!/usr/bin/env python3
"""Large and weighted shifts (issue 10). Prints figures, never asserts.

1. Membership walk, 200 + 200 targets, bluegreen_traffic_shift with batch_size = B (default
   20), soak 0, deregistration delay D s (default 2), new targets healthy after their first
   poll: wall time of `terraform apply` and AWS calls per step (a step registers a batch, waits
   for it, deregisters a batch, waits for the draining), against the same walk typed with the
   AWS CLI with the same waits:
       aws elbv2 register-targets --targets <B ids>; aws elbv2 wait target-in-service ...
       aws elbv2 deregister-targets --targets <B ids>; aws elbv2 wait target-deregistered ...
   The AWS CLI is not installed here: the emulation makes the same Query calls with the CLI
   waiters' documented behaviour (botocore elbv2 waiters-2: poll DescribeTargetHealth for the
   targets at once, then every 15 s, up to 40 times); the CLI's own start-up per command (about
   0.3-0.6 s) is NOT added, which flatters the CLI. With batch_size = 1 the provider would take
   400 steps; the figure for 1 is computed, not run (it would take as long as 400 waits).
2. Weighted walk, bluegreen_weighted_shift over the default schedule (10, 25, 50, 75, 100),
   soak 0, with and without one alarm gate: ELBv2 and CloudWatch calls per step of the apply
   (a saved plan applied, so the plan's own calls are counted apart).

Usage: bench/weighted_shift_bench.py [--provider PATH] [--batch 20] [--targets 200]
       [--delay 2] [--skip-membership]
"""
import argparse
import collections
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

CLI_DELAY, CLI_ATTEMPTS = 15, 40

PROVIDER = """terraform {
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
}
provider "bluegreen" {
  region     = "us-east-1"
  access_key = "testing"
  secret_key = "testing"
  endpoints {
    elbv2      = "%(endpoint)s"
    cloudwatch = "%(endpoint)s"
  }
}
"""

MEMBERSHIP = """
resource "bluegreen_traffic_shift" "t" {
  target_group_arn      = "%(arn)s"
  from_targets          = [%(old)s]
  to_targets            = [%(new)s]
  batch_size            = %(batch)d
  soak_seconds          = 0
  poll_interval_seconds = 1
}
"""

WEIGHTED = """
resource "bluegreen_weighted_shift" "w" {
  listener_arn          = "%(listener)s"
  from_target_group_arn = "%(from_tg)s"
  to_target_group_arn   = "%(to_tg)s"
  alarm_names           = [%(alarms)s]
  soak_seconds          = 0
  poll_interval_seconds = 1
}
"""


def field(answer, name):
    status, xml = answer
    if status != 200:
        raise RuntimeError(xml)
    return re.search(r"<%s>(.*?)</%s>" % (name, name), xml).group(1)


def ips(prefix, n):
    return ["10.%d.%d.%d" % (prefix, i // 250, i % 250 + 1) for i in range(n)]


def targets_call(s, action, arn, ids):
    for k in range(0, len(ids), 200):
        params = {"TargetGroupArn": arn}
        for i, tid in enumerate(ids[k:k + 200], 1):
            params["Targets.member.%d.Id" % i] = tid
        status, xml = s.elbv2(action, **params)
        if status != 200:
            raise RuntimeError("%s: %s" % (action, xml))


class Workspace:
    def __init__(self, provider):
        self.root = tempfile.mkdtemp(prefix="bg-bench-weighted-")
        pdir = os.path.join(self.root, ".provider")
        os.makedirs(pdir)
        os.symlink(os.path.abspath(provider), os.path.join(pdir, "terraform-provider-bluegreen"))
        with open(os.path.join(self.root, ".terraformrc"), "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "spoonknife/bluegreen" = '
                    '"%s"\n  }\n  direct {}\n}\n' % pdir)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(TF_CLI_CONFIG_FILE=os.path.join(self.root, ".terraformrc"),
                        HOME=self.root, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")

    def write(self, text):
        with open(os.path.join(self.root, "main.tf"), "w") as f:
            f.write(text)

    def tf(self, *args):
        t0 = time.monotonic()
        subprocess.run(["terraform"] + list(args) + ["-no-color"], cwd=self.root, env=self.env,
                       check=True, capture_output=True, timeout=3600)
        return time.monotonic() - t0

    def close(self):
        shutil.rmtree(self.root, True)


def vpc_of(s):
    return field(s.ec2("CreateVpc", CidrBlock="10.0.0.0/16"), "vpcId")


def group(s, vpc, name):
    return field(s.elbv2("CreateTargetGroup", Name=name, Protocol="HTTP", Port="80", VpcId=vpc,
                         TargetType="ip"), "TargetGroupArn")


def calls(s):
    return s.control("log")["calls"]


# ---- 1. membership walk -----------------------------------------------------------------
def provider_membership(s, provider, n, batch):
    old, new = ips(1, n), ips(2, n)
    arn = group(s, vpc_of(s), "bench-batch")
    targets_call(s, "RegisterTargets", arn, old)
    ws = Workspace(provider)
    try:
        ws.write(PROVIDER % {"endpoint": s.endpoint} + MEMBERSHIP % {
            "arn": arn, "batch": batch,
            "old": ", ".join('{ id = "%s" }' % t for t in old),
            "new": ", ".join('{ id = "%s" }' % t for t in new)})
        mark = len(calls(s))
        wall = ws.tf("apply", "-auto-approve")
    finally:
        ws.close()
    mine = [c for c in calls(s)[mark:] if c["target_group"] == arn]
    first = next(i for i, c in enumerate(mine) if c["action"] == "RegisterTargets")
    walk = mine[first:]
    changes = [c for c in walk if c["action"] in ("RegisterTargets", "DeregisterTargets")]
    largest = max(len(c["targets"]) for c in changes)
    return wall, walk, changes, largest


def cli_wait(s, arn, ids, done):
    params = {"TargetGroupArn": arn}
    for i, tid in enumerate(ids, 1):
        params["Targets.member.%d.Id" % i] = tid
    for _ in range(CLI_ATTEMPTS):
        status, xml = s.elbv2("DescribeTargetHealth", **params)
        if done(status, xml, ids):
            return
        time.sleep(CLI_DELAY)
    raise RuntimeError("waiter gave up")


def states(xml):
    out = {}
    for m in re.findall(r"<member>(.*?)</member>", xml, re.S):
        out[re.search(r"<Id>(.*?)</Id>", m).group(1)] = re.search(r"<State>(.*?)</State>",
                                                                  m).group(1)
    return out


def in_service(status, xml, ids):
    st = states(xml) if status == 200 else {}
    return all(st.get(t) == "healthy" for t in ids)


def deregistered(status, xml, ids):
    if status != 200:
        return "InvalidTarget" in xml
    st = states(xml)
    return all(st.get(t) in (None, "unused") for t in ids)


def cli_membership(s, n, batch):
    old, new = ips(3, n), ips(4, n)
    arn = group(s, vpc_of(s), "bench-cli")
    targets_call(s, "RegisterTargets", arn, old)
    mark = len(calls(s))
    t0 = time.monotonic()
    for k in range(0, n, batch):
        targets_call(s, "RegisterTargets", arn, new[k:k + batch])
        cli_wait(s, arn, new[k:k + batch], in_service)
        targets_call(s, "DeregisterTargets", arn, old[k:k + batch])
        cli_wait(s, arn, old[k:k + batch], deregistered)
    return time.monotonic() - t0, len(calls(s)) - mark


def membership(s, provider, n, batch, delay):
    s.control("config", {"deregistration_delay": delay,
                         "default_health": {"initial_polls": 1}})
    wall, walk, changes, largest = provider_membership(s, provider, n, batch)
    steps = -(-n // batch)  # batches: a register call and a deregister call each
    by = collections.Counter(c["action"] for c in walk)
    print("1. membership walk %d + %d, batch_size %d, soak 0, deregistration delay %.0f s, new "
          "targets healthy after one poll" % (n, n, batch, delay))
    print("   bluegreen_traffic_shift: %.1f s wall (whole terraform apply), %d batches, %d AWS "
          "calls in the walk = %.1f per batch (%s); largest Register/Deregister call: %d "
          "targets" % (wall, steps, len(walk), len(walk) / steps,
                       ", ".join("%s %d" % kv for kv in sorted(by.items())), largest))
    c_wall, c_calls = cli_membership(s, n, batch)
    print("   AWS CLI walk (emulated waiters, 15 s polling, same batches): %.1f s wall, %d "
          "calls = %.1f per batch" % (c_wall, c_calls, c_calls / steps))
    print("   provider / CLI wall time: %.2fx" % (wall / c_wall))
    least = n * delay + n * 1.0  # n drainings, n health polls of 1 s
    print("   batch_size = 1 would be %d one-target steps: %d drainings of %.0f s and %d health "
          "polls of 1 s, >= %.0f s (%.0fx the batched walk)" % (2 * n, n, delay, n, least,
                                                                   least / wall))


# ---- 2. weighted walk -------------------------------------------------------------------
def load_balancer(s):
    vpc = vpc_of(s)
    subnets = [field(s.ec2("CreateSubnet", VpcId=vpc, CidrBlock="10.0.%d.0/24" % i,
                           AvailabilityZone=az), "subnetId")
               for i, az in enumerate(["us-east-1a", "us-east-1b"])]
    tag = "%d" % (time.time_ns() % 10**6)
    lb = field(s.elbv2("CreateLoadBalancer", Name="bench-lb-" + tag,
                       **{"Subnets.member.1": subnets[0], "Subnets.member.2": subnets[1]}),
               "LoadBalancerArn")
    blue, green = group(s, vpc, "blue-" + tag), group(s, vpc, "green-" + tag)
    targets_call(s, "RegisterTargets", blue, ips(5, 3))
    targets_call(s, "RegisterTargets", green, ips(6, 3))
    listener = field(s.elbv2("CreateListener", LoadBalancerArn=lb, Protocol="HTTP", Port="80",
                             **{"DefaultActions.member.1.Type": "forward",
                                "DefaultActions.member.1.TargetGroupArn": blue}), "ListenerArn")
    return listener, blue, green


def weighted(s, provider, alarms):
    s.control("config", {"default_health": {}})
    listener, blue, green = load_balancer(s)
    for a in alarms:
        s.alarm(a, "OK")
    ws = Workspace(provider)
    try:
        ws.write(PROVIDER % {"endpoint": s.endpoint} + WEIGHTED % {
            "listener": listener, "from_tg": blue, "to_tg": green,
            "alarms": ", ".join('"%s"' % a for a in alarms)})
        mark = len(calls(s))
        ws.tf("plan", "-out=tfplan")
        plan_calls = len(calls(s)) - mark
        mark = len(calls(s))
        wall = ws.tf("apply", "tfplan")
    finally:
        ws.close()
    applied = calls(s)[mark:]
    by = collections.Counter(c["action"] for c in applied)
    steps = by["ModifyListener"]
    print("2. weighted walk, schedule 10/25/50/75/100, soak 0, %s" %
          ("one alarm gate" if alarms else "no alarm gate"))
    print("   plan: %d calls; apply: %.1f s wall, %d calls for %d steps = %.1f per step (%s)" % (
        plan_calls, wall, len(applied), steps, len(applied) / steps,
        ", ".join("%s %d" % kv for kv in sorted(by.items()))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--provider", default=os.environ.get(
        "BG_PROVIDER_BINARY", os.path.join(HERE, "..", "build", "terraform-provider-bluegreen")))
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--targets", type=int, default=200)
    ap.add_argument("--delay", type=float, default=2.0, help="deregistration delay, seconds")
    ap.add_argument("--skip-membership", action="store_true")
    args = ap.parse_args()
    with StandInProcess() as s:
        if not args.skip_membership:
            membership(s, args.provider, args.targets, args.batch, args.delay)
        weighted(s, args.provider, [])
        weighted(s, args.provider, ["bench-5xx"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
