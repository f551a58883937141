#!/usr/bin/env python3
"""Provider figures for bluegreen_cluster_pair (issue: provider core). Prints, never asserts.

  1. provider start to handshake line: median over N launches with automatic mTLS, as
     terraform launches it (magic cookie, PLUGIN_CLIENT_CERT, protocol 6)
  2. provider peak RSS during `terraform plan` of 50 bluegreen_cluster_pair resources
  3. `terraform plan` wall time, 50 bluegreen_cluster_pair vs 50 terraform_data, as a ratio
     (medians over R runs each, same machine, same moment)

Usage: bench/provider_bench.py [--provider build/terraform-provider-bluegreen] [-n 50] [-r 7]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
REQ = 'terraform {\n  required_providers {\n    bluegreen = { source = "spoonknife/bluegreen" }\n  }\n}\n'


def client_cert(tmp):
    key, crt = os.path.join(tmp, "c.key"), os.path.join(tmp, "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-521", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "1", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    with open(crt) as f:
        return f.read()


def handshake_ms(provider, cert, n):
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="5,6",
               PLUGIN_CLIENT_CERT=cert, PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000")
    env.pop("TF_LOG", None)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.Popen([provider], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=env)
        line = p.stdout.readline()
        samples.append((time.perf_counter() - t0) * 1000)
        assert line.startswith(b"1|6|tcp|127.0.0.1:"), line
        p.kill()
        p.wait()
    return statistics.median(samples), min(samples), max(samples)


def workspace(tmp, kind, count, provider_dir):
    ws = tempfile.mkdtemp(prefix="bench-%s-" % kind, dir=tmp)
    subprocess.run(["git", "init", "-q", ws], check=True)
    os.makedirs(os.path.join(ws, "clusters"))
    body = [REQ, 'provider "bluegreen" {}\n']
    for i in range(count):
        if kind == "pair":
            with open(os.path.join(ws, "clusters", "aws-env%d-spoon.tf" % i), "w") as f:
                f.write('module "eks_spoon" {\n  name = "aws-env%d-spoon"\n  v = "1.15"\n}\n' % i)
            body.append('resource "bluegreen_cluster_pair" "p%d" {\n  directory = "clusters"\n'
                        '  name = "aws-env%d"\n  live = "spoon"\n'
                        '  substitutions = { "1.15" = "1.18" }\n}\n' % (i, i))
        else:
            body.append('resource "terraform_data" "d%d" {\n  input = "aws-env%d"\n}\n' % (i, i))
    with open(os.path.join(ws, "main.tf"), "w") as f:
        f.write("".join(body))
    rc = os.path.join(ws, ".terraformrc")
    with open(rc, "w") as f:
        f.write('provider_installation {\n  dev_overrides {\n    "spoonknife/bluegreen" = "%s"\n'
                '  }\n  direct {}\n}\n' % provider_dir)
    return ws, rc


def plan_seconds(ws, rc, runs):
    env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    env.pop("TF_LOG", None)
    if not os.path.exists(os.path.join(ws, ".terraform")):
        subprocess.run(["terraform", "init", "-input=false"], cwd=ws, env=env,
                       capture_output=True)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(["terraform", "plan", "-input=false", "-refresh=true", "-no-color"],
                           cwd=ws, env=env, capture_output=True, text=True)
        samples.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit("plan failed:\n" + r.stdout + r.stderr)
    return statistics.median(samples)


def rss_wrapper(tmp, provider):
    """A provider directory whose binary records the real provider's peak RSS (ru_maxrss)."""
    d = os.path.join(tmp, "rss-provider")
    os.makedirs(d)
    out = os.path.join(tmp, "rss.txt")
    script = os.path.join(d, "terraform-provider-bluegreen")
    with open(script, "w") as f:
        f.write("#!/usr/bin/env python3\nimport os, sys\npid = os.fork()\n"
                "if pid == 0:\n    os.execv(%r, [%r] + sys.argv[1:])\n"
                "_, status, ru = os.wait4(pid, 0)\n"
                "open(%r, 'a').write('%%d\\n' %% ru.ru_maxrss)\n" % (provider, provider, out))
    os.chmod(script, 0o755)
    return d, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default="build/terraform-provider-bluegreen")
    ap.add_argument("-n", type=int, default=50, help="handshake launches")
    ap.add_argument("-r", type=int, default=7, help="plan runs per configuration")
    args = ap.parse_args()
    provider = os.path.abspath(args.provider)
    tmp = tempfile.mkdtemp(prefix="bluegreen-bench-")
    try:
        med, lo, hi = handshake_ms(provider, client_cert(tmp), args.n)
        print("provider start to handshake line: median %.2f ms (min %.2f, max %.2f, n=%d)"
              % (med, lo, hi, args.n))
        rss_dir, rss_file = rss_wrapper(tmp, provider)
        ws, rc = workspace(tmp, "pair", 50, rss_dir)
        plan_seconds(ws, rc, 1)
        with open(rss_file) as f:
            peaks = [int(x) for x in f.read().split()]
        print("provider peak RSS during a plan of 50 cluster pairs: %.1f MB (max of %d launches)"
              % (max(peaks) / 1024.0, len(peaks)))
        pair_ws, pair_rc = workspace(tmp, "pair", 50, os.path.dirname(provider))
        data_ws, data_rc = workspace(tmp, "data", 50, os.path.dirname(provider))
        pair_s = plan_seconds(pair_ws, pair_rc, args.r)
        data_s = plan_seconds(data_ws, data_rc, args.r)
        print("terraform plan, 50 bluegreen_cluster_pair: median %.3f s" % pair_s)
        print("terraform plan, 50 terraform_data:          median %.3f s" % data_s)
        print("plan time ratio (cluster_pair / terraform_data): %.2f" % (pair_s / data_s))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
