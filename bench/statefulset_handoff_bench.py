#!/usr/bin/env python3
"""Statefulset hand-off figures (issue 11). Prints, never asserts.

The documented Elasticsearch case at full size (3 master, 12 data, 4 coordinating pods,
Logstash 2) handed over by `terraform apply` against the Kubernetes stand-in (tick 0.05 s,
every new pod ready TICKS ticks after creation) and moto's Auto Scaling group, all on
127.0.0.1. Reports:
  - wall time of the apply command and of the hand-off itself (first to last mutating call);
  - requests the provider made, by kind (statefulset and pod reads, scale patches, proxied
    Elasticsearch calls, Auto Scaling calls), per step;
  - the provider's peak RSS across its launches (GNU time's %M, when /usr/bin/time exists).
A person doing the same with kubectl and curl waits on each step by eye or with
`kubectl rollout status`; that is not emulated here.

Usage: bench/statefulset_handoff_bench.py [--provider PATH] [--ticks 6] [--poll 10]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e", "support"))
from elbv2_standin import StandInProcess  # noqa: E402
from k8s_standin import K8sStandIn  # noqa: E402

STS = [("elastic-master", 3), ("elastic-data", 12), ("elastic-coordinating", 4)]

MAIN_TF = """terraform {
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
}
resource "bluegreen_statefulset_handoff" "logging" {
  from_cluster = { host = %(from)s, token = "token-from", cluster_ca_certificate = %(ca)s }
  to_cluster   = { host = %(to)s, token = "token-to", cluster_ca_certificate = %(ca)s }
  namespace    = "elasticsearch"
  statefulsets = [%(sts)s]
  pause         = [{ namespace = "logstash", name = "logstash-kubernetes", replicas = 2 }]
  elasticsearch = { service = "elasticsearch/elastic-master:9200" }
  node_group    = { autoscaling_group_name = "aws-tools-spoon-elastic" }
  poll_interval_seconds = %(poll)d
}
"""


def world(k, ticks):
    k.control("reset", {"tick": 0.05})
    for cluster in ("from", "to"):
        for name, n in STS:
            k.control("statefulset", {"cluster": cluster, "namespace": "elasticsearch",
                                      "name": name, "replicas": n if cluster == "from" else 0})
        k.control("statefulset", {"cluster": cluster, "namespace": "logstash",
                                  "name": "logstash-kubernetes", "volumes": False,
                                  "replicas": 2 if cluster == "from" else 0})
        k.control("service", {"cluster": cluster, "namespace": "elasticsearch",
                              "name": "elastic-master", "port": 9200,
                              "statefulset": "elastic-master"})
    k.control("es", {"namespace": "elasticsearch", "masters": "elastic-master",
                     "data": "elastic-data", "statefulsets": [n for n, _ in STS],
                     "data_nodes": 12, "master_nodes": 3})
    k.control("fault", {"ready_ticks": {"to/elasticsearch/%s" % n: ticks for n, _ in STS}})


def asg(aws):
    aws.ec2("CreateLaunchTemplate", LaunchTemplateName="lt", **{
        "LaunchTemplateData.ImageId": "ami-12c6146b", "LaunchTemplateData.InstanceType": "r5.large"})
    aws.autoscaling("CreateAutoScalingGroup", AutoScalingGroupName="aws-tools-spoon-elastic",
                    MinSize="3", MaxSize="6", DesiredCapacity="3", **{
                        "LaunchTemplate.LaunchTemplateName": "lt",
                        "AvailabilityZones.member.1": "us-east-1a"})


def kind_of(c):
    if "/proxy/" in c["path"]:
        return "elasticsearch (proxy)"
    if c["path"].endswith("/scale"):
        return "scale patch"
    if "/pods" in c["path"]:
        return "pod list"
    return "statefulset get"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default=os.path.join(HERE, "..", "build",
                                                       "terraform-provider-bluegreen"))
    ap.add_argument("--ticks", type=int, default=6)
    ap.add_argument("--poll", type=int, default=10)
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="bg-handoff-bench-")
    k = K8sStandIn(root)
    aws = StandInProcess()
    k.start()
    aws.start()
    try:
        world(k, args.ticks)
        asg(aws)
        ws = os.path.join(root, "ws")
        os.makedirs(os.path.join(ws, ".provider"))
        rss = os.path.join(root, "rss")
        wrapper = os.path.join(ws, ".provider", "terraform-provider-bluegreen")
        with open(wrapper, "w") as f:
            if os.path.exists("/usr/bin/time"):
                f.write('#!/bin/sh\nexec /usr/bin/time -a -o %s -f %%M %s "$@"\n'
                        % (rss, os.path.abspath(args.provider)))
            else:
                f.write('#!/bin/sh\nexec %s "$@"\n' % os.path.abspath(args.provider))
        os.chmod(wrapper, 0o755)
        with open(os.path.join(ws, ".terraformrc"), "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "spoonknife/bluegreen" = '
                    '"%s"\n  }\n  direct {}\n}\n' % os.path.join(ws, ".provider"))
        with open(os.path.join(ws, "main.tf"), "w") as f:
            f.write(MAIN_TF % {"from": json.dumps(k.host["from"]), "to": json.dumps(k.host["to"]),
                               "ca": json.dumps(k.ca), "poll": args.poll,
                               "sts": ", ".join("{ name = %s, replicas = %d }" % (json.dumps(n), r)
                                                for n, r in STS)})
        env = dict(os.environ, TF_CLI_CONFIG_FILE=os.path.join(ws, ".terraformrc"),
                   TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", AWS_REGION="us-east-1",
                   AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_ENDPOINT_URL=aws.endpoint, HOME=ws)
        t0 = time.time()
        p = subprocess.run(["terraform", "apply", "-auto-approve", "-no-color"], cwd=ws, env=env,
                           capture_output=True, text=True)
        wall = time.time() - t0
        if p.returncode != 0:
            print(p.stdout[-3000:], p.stderr[-3000:])
            return 1
        calls = [c for c in k.control("log")["calls"] if c["t"] >= t0]
        muts = [c for c in calls if c["method"] != "GET"]
        by_kind = {}
        for c in calls:
            by_kind[kind_of(c)] = by_kind.get(kind_of(c), 0) + 1
        aws_calls = [c for c in aws.control("log")["calls"] if c["t"] >= t0]
        steps = 14
        print("pods moved: %d (+2 Logstash); new pods ready %d ticks (%.2f s) after creation"
              % (sum(n for _, n in STS), args.ticks, args.ticks * 0.05))
        print("terraform apply wall time: %.1f s (poll_interval_seconds = %d)" % (wall, args.poll))
        print("hand-off (first to last change): %.1f s" % (muts[-1]["t"] - muts[0]["t"]))
        print("Kubernetes requests: %d (%.1f per step of %d), by kind: %s" % (
            len(calls), len(calls) / steps, steps,
            ", ".join("%s %d" % kv for kv in sorted(by_kind.items()))))
        print("AWS requests: %d (%s)" % (len(aws_calls),
                                          ", ".join(sorted({c["action"] for c in aws_calls}))))
        if os.path.exists(rss):
            with open(rss) as f:
                peaks = [int(x) for x in f.read().split() if x.isdigit()]
            print("provider peak RSS: %d KiB (max over %d launches)" % (max(peaks), len(peaks)))
        return 0
    finally:
        k.stop()
        aws.stop()
        shutil.rmtree(root, True)


if __name__ == "__main__":
    sys.exit(main())
