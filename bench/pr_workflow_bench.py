#!/usr/bin/env python3
"""Figures for the pull-request workflow (issue 8). Prints, never asserts.

  1. `generate` wall time writing a pair's copies (F files of K KiB, blue -> green so every
     attribute group is re-aligned), and re-running it on copies a `terraform fmt` run laid
     out differently (the layout-equivalence path: nothing written), medians over R runs
  2. `terraform plan` wall time of that pair in verify mode once applied (refresh + plan:
     every live file hashed, every copy rendered, aligned and compared), median over R runs
  3. state size after the apply: the whole state file, the `contents` attribute alone and
     `files` alone, in bytes, and contents / copies' size
  4. import: `terraform plan -generate-config-out` of the pair (substitutions recovered from
     F copies), median over R runs

The machine is shared: the 1-minute load average is printed before and after.

Usage: bench/pr_workflow_bench.py [--provider build/terraform-provider-bluegreen] [-f 20]
                                  [-k 64] [-r 5]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

REQ = ('terraform {\n  required_providers {\n    bluegreen = { source = "spoonknife/bluegreen" }'
       '\n  }\n}\n')
PAIR = """
resource "bluegreen_cluster_pair" "prod" {
  directory     = "clusters"
  name          = "aws-prod"
  colors        = ["blue", "green"]
  live          = "blue"
  substitutions = { "1.15" = "1.18", "10.1.0.0" = "10.2.0.0" }
}
"""


def live_file(i, kib):
    block = ('resource "terraform_data" "node_blue_%%d_%d" {\n  input = {\n'
             '    cluster_name = "aws-prod-blue"\n    version      = "1.15"\n'
             '    cidr         = "10.1.0.0/16" # vpc\n    pool_blue    = "general" # pool\n'
             '  }\n}\n' % i)
    n = kib * 1024 // len(block % 0) + 1
    return "".join(block % k for k in range(n))


def timed(fn, runs):
    out = []
    for _ in range(runs):
        t = time.monotonic()
        fn()
        out.append(time.monotonic() - t)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default="build/terraform-provider-bluegreen")
    ap.add_argument("-f", type=int, default=20)
    ap.add_argument("-k", type=int, default=64)
    ap.add_argument("-r", type=int, default=5)
    a = ap.parse_args()
    provider = os.path.abspath(a.provider)
    print("load %.2f" % os.getloadavg()[0])
    root = tempfile.mkdtemp(prefix="bg-bench-pr-")
    try:
        run(root, provider, a)
    finally:
        shutil.rmtree(root, True)
    print("load %.2f" % os.getloadavg()[0])


def run(root, provider, a):
    subprocess.run(["git", "init", "-q", root], check=True)
    os.makedirs(os.path.join(root, "clusters"))
    os.makedirs(os.path.join(root, ".provider"))
    os.symlink(provider, os.path.join(root, ".provider", "terraform-provider-bluegreen"))
    rc = os.path.join(root, ".terraformrc")
    with open(rc, "w") as f:
        f.write('provider_installation {\n  dev_overrides {\n    "spoonknife/bluegreen" = "%s"'
                '\n  }\n  direct {}\n}\n' % os.path.join(root, ".provider"))
    env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    total = 0
    for i in range(a.f):
        text = live_file(i, a.k)
        total += len(text)
        with open(os.path.join(root, "clusters", "aws-prod-blue-%02d.tf" % i), "w") as f:
            f.write(text)
    gen = [provider, "generate", "--directory", "clusters", "--name", "aws-prod", "--live",
           "blue", "--colors", "blue,green", "--substitution", "1.15", "1.18",
           "--substitution", "10.1.0.0", "10.2.0.0"]

    def clean():
        for n in os.listdir(os.path.join(root, "clusters")):
            if "green" in n:
                os.unlink(os.path.join(root, "clusters", n))

    def write_all():
        clean()
        subprocess.run(gen, cwd=root, check=True, capture_output=True)

    t = timed(write_all, a.r)
    print("generate: %d copies of %d KiB (%.1f MiB), written: median %.3f s" %
          (a.f, a.k, total / 1048576.0, t))
    subprocess.run(["terraform", "fmt", "clusters"], cwd=root, env=env, capture_output=True)
    for n in os.listdir(os.path.join(root, "clusters")):  # a layout terraform fmt accepts too
        if "green" in n:
            p = os.path.join(root, "clusters", n)
            with open(p) as f:
                text = f.read().replace("  input = {", "  input    =   {")
            with open(p, "w") as f:
                f.write(text)
    out = subprocess.run(gen, cwd=root, capture_output=True, text=True).stdout
    assert "up to date" in out, out
    t = timed(lambda: subprocess.run(gen, cwd=root, check=True, capture_output=True), a.r)
    print("generate: same copies laid out differently (equivalence, nothing written): "
          "median %.3f s" % t)
    write_all()
    with open(os.path.join(root, "main.tf"), "w") as f:
        f.write(REQ + 'provider "bluegreen" {}\n' + PAIR)
    venv = dict(env, BLUEGREEN_GENERATED_FILES="verify")
    subprocess.run(["terraform", "apply", "-auto-approve", "-no-color"], cwd=root, env=venv,
                   check=True, capture_output=True)
    t = timed(lambda: subprocess.run(["terraform", "plan", "-no-color", "-detailed-exitcode"],
                                     cwd=root, env=venv, capture_output=True), a.r)
    print("terraform plan, verify mode, applied pair: median %.3f s" % t)
    with open(os.path.join(root, "terraform.tfstate")) as f:
        raw = f.read()
    values = json.loads(raw)["resources"][0]["instances"][0]["attributes"]
    contents = len(json.dumps(values["contents"]))
    files = len(json.dumps(values["files"]))
    print("state: %d bytes; contents %d bytes (%.2f x the copies' %d bytes); files %d bytes" %
          (len(raw), contents, contents / float(total), total, files))
    os.unlink(os.path.join(root, "terraform.tfstate"))
    with open(os.path.join(root, "main.tf"), "w") as f:
        f.write(REQ + 'provider "bluegreen" {}\nimport {\n  to = bluegreen_cluster_pair.prod\n'
                '  id = "clusters:aws-prod"\n}\n')
    for n in os.listdir(os.path.join(root, "clusters")):  # import assumes spoon/knife
        os.rename(os.path.join(root, "clusters", n),
                  os.path.join(root, "clusters", n.replace("blue", "spoon").replace(
                      "green", "knife")))
    for n in os.listdir(os.path.join(root, "clusters")):
        p = os.path.join(root, "clusters", n)
        with open(p) as f:
            text = f.read()
        with open(p, "w") as f:
            f.write(text.replace("blue", "spoon").replace("green", "knife"))

    def plan_import():
        if os.path.exists(os.path.join(root, "gen.tf")):
            os.unlink(os.path.join(root, "gen.tf"))
        subprocess.run(["terraform", "plan", "-no-color", "-generate-config-out=gen.tf"],
                       cwd=root, env=env, check=True, capture_output=True)

    t = timed(plan_import, a.r)
    with open(os.path.join(root, "gen.tf")) as f:
        gen_tf = f.read()
    print("import: plan -generate-config-out over %d copies: median %.3f s; substitutions: %s" %
          (a.f, t, " ".join(gen_tf.split("substitutions")[1].split())[:120]))


if __name__ == "__main__":
    main()
