#!/usr/bin/env python3
"""What each credential source costs (issue 9). Prints, never asserts.

For each source (static keys in the environment, web identity through moto's STS, a
source_profile role chain, credential_process, container credentials, IMDSv2), the median
wall time of `terraform plan` of one bluegreen_traffic_shift (2+2 targets) over R runs, its
ratio to static keys, and the number of credential fetches the stand-in saw per plan (each plan
is a fresh provider process: one fetch means the pooled clients shared one cache).

Usage: bench/credentials_bench.py [--provider build/terraform-provider-bluegreen] [-r 5]
Needs terraform and moto; everything runs on 127.0.0.1.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e", "support"))
from elbv2_standin import StandInProcess  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/bench"
MAIN = """terraform {
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
}
provider "bluegreen" {
  region = "us-east-1"
  endpoints {
    elbv2 = "%(ep)s"
  }
}
resource "bluegreen_traffic_shift" "t" {
  target_group_arn      = "%(arn)s"
  from_targets          = [{ id = "10.0.0.1" }, { id = "10.0.0.2" }]
  to_targets            = [{ id = "10.0.1.1" }, { id = "10.0.1.2" }]
  soak_seconds          = 0
  poll_interval_seconds = 1
}
"""


def target_group(s):
    _, xml = s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
    vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
    _, xml = s.elbv2("CreateTargetGroup", Name="tg-bench", Protocol="HTTP", Port="80",
                     VpcId=vpc, TargetType="ip")
    arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
    s.elbv2("RegisterTargets", TargetGroupArn=arn, **{"Targets.member.1.Id": "10.0.0.1",
                                                       "Targets.member.2.Id": "10.0.0.2"})
    return arn


def sources(s, d):
    """name -> extra environment (files written into d)."""
    def put(name, text):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    token = put("token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    creds = put("creds.json", '{"Version": 1, "AccessKeyId": "AKIDPROC", '
                              '"SecretAccessKey": "s"}')
    put("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n")
    put("config", "[profile deploy]\nrole_arn = %s\nsource_profile = base\n"
                  "[profile proc]\ncredential_process = cat %s\n" % (ROLE, creds))
    files = {"AWS_SHARED_CREDENTIALS_FILE": os.path.join(d, "credentials"),
             "AWS_CONFIG_FILE": os.path.join(d, "config")}
    sts = {"AWS_ENDPOINT_URL_STS": s.endpoint}
    return [
        ("static env keys", {"AWS_ACCESS_KEY_ID": "AKIDSTATIC", "AWS_SECRET_ACCESS_KEY": "s"}),
        ("web identity (STS)", dict(sts, AWS_ROLE_ARN=ROLE, AWS_WEB_IDENTITY_TOKEN_FILE=token)),
        ("profile role chain (STS)", dict(sts, AWS_PROFILE="deploy", **files)),
        ("credential_process", dict(AWS_PROFILE="proc", **files)),
        ("container (full URI)", {"AWS_CONTAINER_CREDENTIALS_FULL_URI":
                                  s.endpoint + "/_creds/container"}),
        ("IMDSv2", {"AWS_EC2_METADATA_SERVICE_ENDPOINT": s.endpoint,
                    "AWS_EC2_METADATA_DISABLED": "false"}),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default=os.path.join(HERE, "..", "build",
                                                       "terraform-provider-bluegreen"))
    ap.add_argument("-r", type=int, default=5)
    args = ap.parse_args()
    terraform = shutil.which("terraform")
    if not terraform:
        sys.exit("terraform not on PATH")
    d = tempfile.mkdtemp(prefix="bg-cred-bench-")
    os.makedirs(os.path.join(d, "p"))
    os.symlink(os.path.abspath(args.provider), os.path.join(d, "p",
                                                             "terraform-provider-bluegreen"))
    rc = os.path.join(d, "tfrc")
    with open(rc, "w") as f:
        f.write('provider_installation {\n  dev_overrides {\n    "spoonknife/bluegreen" = '
                '"%s"\n  }\n  direct {}\n}\n' % os.path.join(d, "p"))
    with StandInProcess() as s:
        s.control("reset", {})
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(MAIN % {"ep": s.endpoint, "arn": target_group(s)})
        base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        base.update({"TF_CLI_CONFIG_FILE": rc, "TF_IN_AUTOMATION": "1", "HOME": d,
                     "CHECKPOINT_DISABLE": "1", "AWS_EC2_METADATA_DISABLED": "true",
                     "BG_AWS_INTERNAL_LOOPBACK_ONLY": "1"})
        print("credential source           plan median   vs static   fetches/plan")
        static = None
        for name, extra in sources(s, d):
            times, fetches0 = [], len(s.control("log")["fetches"])
            for _ in range(args.r):
                t0 = time.perf_counter()
                subprocess.run([terraform, "plan", "-no-color"], cwd=d, env=dict(base, **extra),
                               check=True, capture_output=True)
                times.append(time.perf_counter() - t0)
            med = statistics.median(times)
            static = static or med
            fetched = (len(s.control("log")["fetches"]) - fetches0) / args.r
            print("%-27s %8.0f ms   %8.2fx   %s" % (name, med * 1000, med / static,
                                                    "%.1f" % fetched if fetched else "-"))
    shutil.rmtree(d, True)


if __name__ == "__main__":
    main()
