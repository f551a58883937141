#!/usr/bin/env python3
"""Figures for the typed schema layer and the described schema. Prints, never asserts.

  1. `terraform providers schema -json` wall time (one launch: GetProviderSchema builds every
     description with its validator and default sentences)
  2. `terraform plan` of N bluegreen_upgrade_path data sources (expand + search + flatten per
     read), and of N terraform_data for scale
  medians over R runs each. Run it once per build to compare two providers:

Usage: bench/schema_bench.py [--provider build/terraform-provider-bluegreen] [-n 50] [-r 9]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REQ = 'terraform {\n  required_providers {\n    bluegreen = { source = "spoonknife/bluegreen" }\n  }\n}\n'
PAIRS = [("1.15", "1.18", "1.4", "1.8"), ("1.16", "1.20", "1.6", "1.10"),
         ("1.21", "1.25", None, None), ("1.24", "1.29", "1.16", "1.20")]


def workspace(tmp, kind, count, provider_dir):
    ws = tempfile.mkdtemp(prefix="bench-%s-" % kind, dir=tmp)
    body = [REQ, 'provider "bluegreen" {}\n']
    for i in range(count):
        if kind == "path":
            k0, k1, i0, i1 = PAIRS[i % len(PAIRS)]
            istio = ('  istio_from = "%s"\n  istio_to = "%s"\n' % (i0, i1)) if i0 else ""
            body.append('data "bluegreen_upgrade_path" "p%d" {\n  kubernetes_from = "%s"\n'
                        '  kubernetes_to = "%s"\n%s  clusters = %d\n  as_of = "2024-01-01"\n}\n'
                        % (i, k0, k1, istio, i + 1))
        elif kind == "data":
            body.append('resource "terraform_data" "d%d" {\n  input = "x%d"\n}\n' % (i, i))
    with open(os.path.join(ws, "main.tf"), "w") as f:
        f.write("".join(body))
    rc = os.path.join(ws, ".terraformrc")
    with open(rc, "w") as f:
        f.write('provider_installation {\n  dev_overrides {\n    "spoonknife/bluegreen" = "%s"\n'
                '  }\n  direct {}\n}\n' % provider_dir)
    env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    env.pop("TF_LOG", None)
    return ws, env


def median_seconds(ws, env, argv, runs):
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(argv, cwd=ws, env=env, capture_output=True, text=True)
        samples.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit("%s failed:\n%s%s" % (" ".join(argv), r.stdout, r.stderr))
    return statistics.median(samples), min(samples), max(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default="build/terraform-provider-bluegreen")
    ap.add_argument("-n", type=int, default=50, help="data sources per plan")
    ap.add_argument("-r", type=int, default=9, help="runs per figure")
    args = ap.parse_args()
    provider_dir = os.path.dirname(os.path.abspath(args.provider))
    tmp = tempfile.mkdtemp(prefix="bluegreen-schema-bench-")
    try:
        ws, env = workspace(tmp, "schema", 0, provider_dir)
        med, lo, hi = median_seconds(ws, env, ["terraform", "providers", "schema", "-json"],
                                     args.r)
        print("terraform providers schema -json: median %.1f ms (min %.1f, max %.1f)"
              % (med * 1000, lo * 1000, hi * 1000))
        plan = ["terraform", "plan", "-input=false", "-no-color"]
        for kind, label in (("path", "bluegreen_upgrade_path"), ("data", "terraform_data")):
            ws, env = workspace(tmp, kind, args.n, provider_dir)
            med, lo, hi = median_seconds(ws, env, plan, args.r)
            print("terraform plan, %d %s: median %.3f s (min %.3f, max %.3f)"
                  % (args.n, label, med, lo, hi))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
