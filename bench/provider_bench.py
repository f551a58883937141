#!/usr/bin/env python3
"""Provider launch and per-resource figures (issue 12). Prints, never asserts.

  1. handshake: provider start to its handshake line, median over N launches with automatic
     mTLS, as terraform launches it (magic cookie, PLUGIN_CLIENT_CERT, protocol 6)
  2. launch lifetime: exec to exit of a schema-only launch (`terraform providers schema
     -json`: GetProviderSchema, then go-plugin's Shutdown), median over N launches, measured
     by bench/launch_probe.c, which runs the provider as its child and times it
  3. peak RSS of the provider during `terraform plan` of 50 bluegreen_cluster_pair (max over
     the plan's launches)
  4. `terraform plan` wall time of N bluegreen_cluster_pair vs N terraform_data at N = 50 and
     500, medians over R runs each (pair and data runs alternate, so load hits both alike),
     as a ratio, and the added cost per pair, (pair - data) / N. Two situations:
       - refresh: the configuration is applied, so each pair costs terraform's Validate,
         UpgradeResourceState, ReadResource and PlanResourceChange (every PR plan);
       - create:  empty state, Validate and PlanResourceChange only (the first plan).
     Every pair lives in the same directory (N live files, N standby files once applied).
  5. the floors, in the same runs: N `bluegreen_floor` served by bench_floor_provider (this
     binary's protocol layer with one do-nothing resource of two attributes, like
     terraform_data) and by bench_wide_provider (the same plus 16 computed strings, the pair's
     width). floor / terraform_data is what being a plugin costs; wide - floor is terraform's
     own cost of 16 more attributes; pair - wide is what the cluster pair's hooks add.

The machine is shared: the 1-minute load average is printed before and after; compare runs
made at similar load.

Usage: bench/provider_bench.py [--provider build/terraform-provider-bluegreen] [-n 30] [-r 7]
                               [--sizes 50,500]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
REQ = 'terraform {\n  required_providers {\n    bluegreen = { source = "spoonknife/bluegreen" }\n  }\n}\n'


def load():
    return os.getloadavg()[0]


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
    return samples


def probe(tmp, provider):
    """A provider directory whose binary is launch_probe running the real provider."""
    d = os.path.join(tmp, "probe")
    os.makedirs(d)
    exe = os.path.join(d, "terraform-provider-bluegreen")
    subprocess.run(["cc", "-O2", "-std=c17", "-D_GNU_SOURCE", "-o", exe,
                    os.path.join(HERE, "launch_probe.c")], check=True)
    return d, os.path.join(tmp, "probe.log")


def probe_env(provider, log):
    return {"BG_PROBE_EXEC": provider, "BG_PROBE_LOG": log}


def read_probe(log):
    """[(lifetime ms, peak RSS KiB, wait status, CPU ms)] recorded so far; empties the log."""
    if not os.path.exists(log):
        return []
    with open(log) as f:
        rows = [tuple(int(x) for x in line.split()) for line in f if line.strip()]
    os.unlink(log)
    return [(us / 1000.0, kb, st, cpu / 1000.0) for us, kb, st, cpu in rows]


def workspace(tmp, kind, count, provider_dir):
    ws = tempfile.mkdtemp(prefix="bench-%s-%d-" % (kind, count), dir=tmp)
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


def tf_env(rc, extra=None):
    env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    env.pop("TF_LOG", None)
    env.pop("TF_LOG_PROVIDER", None)
    env.update(extra or {})
    return env


def terraform(ws, rc, args, extra=None):
    t0 = time.perf_counter()
    r = subprocess.run(["terraform"] + args + ["-input=false", "-no-color"], cwd=ws,
                       env=tf_env(rc, extra), capture_output=True, text=True)
    if r.returncode not in (0, 2):
        sys.exit("terraform %s failed:\n%s%s" % (" ".join(args), r.stdout, r.stderr))
    return time.perf_counter() - t0


def lifetimes(tmp, provider, n):
    pdir, log = probe(tmp, provider)
    ws, rc = workspace(tmp, "schema", 0, pdir)
    env = tf_env(rc, probe_env(provider, log))
    for _ in range(n):
        subprocess.run(["terraform", "providers", "schema", "-json"], cwd=ws, env=env,
                       check=True, capture_output=True)
    rows = read_probe(log)
    return [ms for ms, _, _, _ in rows], pdir, log


def peak_rss_mb(tmp, pdir, log, provider):
    """Peak RSS over the launches of one plan of 50 pairs, and the provider CPU of that plan."""
    ws, rc = workspace(tmp, "pair", 50, pdir)
    terraform(ws, rc, ["plan"], probe_env(provider, log))
    rows = read_probe(log)
    return max(kb for _, kb, _, _ in rows) / 1024.0, len(rows), sum(c for _, _, _, c in rows)


def floor_dir(tmp, exe):
    """A provider directory whose terraform-provider-bluegreen is the floor binary exe."""
    d = os.path.join(tmp, os.path.basename(exe))
    if not os.path.isdir(d):
        os.makedirs(d)
        os.symlink(exe, os.path.join(d, "terraform-provider-bluegreen"))
    return d


def floor_workspace(tmp, count, provider_dir):
    ws, rc = workspace(tmp, "data", count, provider_dir)
    path = os.path.join(ws, "main.tf")
    with open(path) as f:
        body = f.read().replace('resource "terraform_data"', 'resource "bluegreen_floor"')
    with open(path, "w") as f:
        f.write(body)
    return ws, rc


def compare(tmp, provider_dir, floors, count, runs, applied):
    """Median plan seconds per kind: pair, data and each floor, runs interleaved."""
    spaces = {"pair": workspace(tmp, "pair", count, provider_dir),
              "data": workspace(tmp, "data", count, provider_dir)}
    for name, exe in floors.items():
        spaces[name] = floor_workspace(tmp, count, floor_dir(tmp, exe))
    if applied:
        for ws, rc in spaces.values():
            terraform(ws, rc, ["apply", "-auto-approve"])
    times = {k: [] for k in spaces}
    for _ in range(runs):
        for k, (ws, rc) in spaces.items():
            times[k].append(terraform(ws, rc, ["plan", "-refresh=true"]))
    return {k: statistics.median(v) for k, v in times.items()}


def summary(samples):
    return "median %.2f ms (min %.2f, max %.2f, n=%d)" % (
        statistics.median(samples), min(samples), max(samples), len(samples))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default="build/terraform-provider-bluegreen")
    ap.add_argument("-n", type=int, default=30, help="launches for handshake and lifetime")
    ap.add_argument("-r", type=int, default=7, help="plan runs per configuration")
    ap.add_argument("--sizes", default="50,500")
    args = ap.parse_args()
    provider = os.path.abspath(args.provider)
    tmp = tempfile.mkdtemp(prefix="bluegreen-bench-")
    print("load average (1 min) at start: %.2f" % load())
    try:
        print("handshake (start to handshake line): %s"
              % summary(handshake_ms(provider, client_cert(tmp), args.n)))
        life, pdir, log = lifetimes(tmp, provider, args.n)
        print("launch lifetime (exec to exit, schema-only launch): %s" % summary(life))
        mb, launches, cpu = peak_rss_mb(tmp, pdir, log, provider)
        print("peak RSS during a plan of 50 cluster pairs: %.1f MB (max of %d launches; "
              "provider CPU %.0f ms)" % (mb, launches, cpu))
        floors = {}
        for name in ("floor", "wide"):
            exe = os.path.join(os.path.dirname(provider), "bench_%s_provider" % name)
            if os.path.exists(exe):
                floors[name] = exe
            else:
                print("(no %s: build bench_%s_provider to see the floors)" % (exe, name))
        for applied in (True, False):
            mode = "refresh" if applied else "create"
            for count in [int(x) for x in args.sizes.split(",")]:
                t = compare(tmp, os.path.dirname(provider), floors, count, args.r, applied)
                pair_s, data_s = t["pair"], t["data"]
                print("plan (%s) %d pairs %.3f s, %d terraform_data %.3f s: ratio %.2f, "
                      "added cost per pair %.2f ms"
                      % (mode, count, pair_s, count, data_s, pair_s / data_s,
                         1000.0 * (pair_s - data_s) / count))
                if "floor" in t and "wide" in t:
                    print("    floors: bluegreen_floor %.3f s (ratio %.2f), wide %.3f s "
                          "(ratio %.2f); per resource: plugin %.2f ms, 16 attributes %.2f ms, "
                          "pair hooks %.2f ms"
                          % (t["floor"], t["floor"] / data_s, t["wide"], t["wide"] / data_s,
                             1000.0 * (t["floor"] - data_s) / count,
                             1000.0 * (t["wide"] - t["floor"]) / count,
                             1000.0 * (pair_s - t["wide"]) / count))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("load average (1 min) at end: %.2f" % load())


if __name__ == "__main__":
    main()
