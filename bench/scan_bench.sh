#!/bin/sh
# scan_bench.sh - files/second of the manifest scanner (bluegreen_deprecated_apis) on a
# generated tree of 10,000 manifests: YAML (multi-document, Helm-templated), JSON and .tf,
# spread over 100 directories, one in ten using an API removed by Kubernetes 1.25.
# usage: bench/scan_bench.sh [BUILD_DIR] (default build; needs libbg_core.a built)
# Prints figures, never pass/fail.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -I"$src/include" "$src/bench/scan_bench.c" \
    "$build/libbg_core.a" \
    $(pkg-config --libs libcjson) -o "$tmp/scan_bench"

python3 - "$tmp/tree" <<'PY'
import os, sys
root = sys.argv[1]
yaml = """apiVersion: {api}
kind: {kind}
metadata:
  name: app-{i}
  labels:
    app: app-{i}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: "registry.example.com/app:{{{{ .Chart.AppVersion }}}}"
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  ports:
    - port: 80
"""
json_t = ('{{\n  "apiVersion": "{api}",\n  "kind": "{kind}",\n'
          '  "metadata": {{"name": "app-{i}"}}\n}}\n')
tf = 'resource "kubernetes_manifest" "app_{i}" {{\n  manifest = {{\n    apiVersion = "{api}"\n' \
     '    kind       = "{kind}"\n    metadata   = {{ name = "app-{i}" }}\n  }}\n}}\n'
for i in range(10000):
    d = os.path.join(root, "team%02d" % (i % 100), "templates" if i % 3 == 0 else "k8s")
    os.makedirs(d, exist_ok=True)
    api, kind = ("batch/v1beta1", "CronJob") if i % 10 == 0 else ("apps/v1", "Deployment")
    ext, t = [(".yaml", yaml), (".yaml", yaml), (".json", json_t), (".tf", tf)][i % 4]
    with open(os.path.join(d, "m%05d%s" % (i, ext)), "w") as f:
        f.write(t.format(api=api, kind=kind, i=i))
PY

echo "tree: $(find "$tmp/tree" -type f | wc -l) files, $(du -sh "$tmp/tree" | cut -f1)"
"$tmp/scan_bench" "$tmp/tree" 25 3
