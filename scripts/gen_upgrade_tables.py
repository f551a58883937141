#!/usr/bin/env python3
"""Compile data/*.csv into src/upgrade/tables.c (the provider never reads CSV at run time).

Usage: gen_upgrade_tables.py [--data DIR] [--output FILE] [--check]
  --check  regenerate in memory and exit 1 if FILE differs (the unit test does this).

Python 3 standard library only. The output is deterministic: rows keep the CSV order for
the EKS and Istio tables; removals are sorted by (removed_in, apiVersion, kind).
"""
import argparse
import csv
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
MINOR = re.compile(r"^1\.(\d+)$")


def fail(msg):
    sys.exit("gen_upgrade_tables: " + msg)


def minor(text, where):
    m = MINOR.match(text.strip())
    if not m:
        fail("%s: expected a version like 1.16, got %r" % (where, text))
    return int(m.group(1))


def date(text, where, full=False):
    """First date in a cell that may carry a note, e.g. '2020-11-19 (table says ...)'."""
    m = DATE.search(text)
    if not m or (full and not m.group(1)):
        fail("%s: expected a date, got %r" % (where, text))
    return m.group(0)


def c_str(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap_row(head, text, tail):
    """A table row within 100 columns: long strings become adjacent literals."""
    line = "    {%s, %s%s}," % (head, c_str(text), tail)
    if len(line) <= 100:
        return [line]
    out, words, cur = ["    {%s," % head], text.split(" "), ""
    for w in words:
        if cur and len(cur) + len(w) + 1 > 88:
            out.append("     %s" % c_str(cur + " "))
            cur = w
        else:
            cur = w if not cur else cur + " " + w
    out.append("     %s%s}," % (c_str(cur), tail))
    return out


def rows(data, name):
    with open(os.path.join(data, name), newline="") as f:
        return list(csv.DictReader(f))


def eks_table(data):
    out, prev = [], None
    for r in rows(data, "eks_versions.csv"):
        where = "eks_versions.csv " + r["eks_k8s_minor"]
        m = minor(r["eks_k8s_minor"], where)
        if prev is not None and m != prev + 1:
            fail(where + ": minors must be consecutive")
        prev = m
        ext = r["end_of_extended_support"].strip()
        ext = None if ext in ("", "n/a") else date(ext, where, True)
        out.append("    {%d, %s, %s, %s}," % (m, c_str(date(r["eks_release"], where)),
                                             c_str(date(r["end_of_standard_support"], where,
                                                        True)), c_str(ext)))
    return out


def istio_table(data):
    out, prev = [], None
    for r in rows(data, "istio_support_matrix.csv"):
        where = "istio_support_matrix.csv " + r["istio_minor"]
        m = minor(r["istio_minor"], where)
        if prev is not None and m != prev + 1:
            fail(where + ": minors must be consecutive")
        prev = m
        lo, hi = minor(r["k8s_supported_min"], where), minor(r["k8s_supported_max"], where)
        if lo > hi:
            fail(where + ": empty Kubernetes range")
        out.append("    {%d, %d, %d, %s, %s}," % (m, lo, hi, c_str(date(r["release_date"], where)),
                                                 c_str(date(r["eol_date"], where))))
    return out


def removal_rows(data):
    out = []
    for r in rows(data, "k8s_api_removals.csv"):
        where = "k8s_api_removals.csv %s %s" % (r["apiVersion"], r["kind"])
        text = r["removed_in"].strip()
        m = minor(text, where) if text else 0
        if not r["apiVersion"].strip() or not r["kind"].strip():
            fail(where + ": apiVersion and kind are required")
        out.append((m, text, r["apiVersion"].strip(), r["kind"].strip(),
                    r["replacement"].strip(), r["in_k8s_guide"].strip() == "yes"))
    keys = [(x[2], x[3]) for x in out]
    if len(set(keys)) != len(keys):
        fail("k8s_api_removals.csv: duplicate apiVersion/kind")
    return sorted(out, key=lambda x: (x[0] == 0, x[0], x[2], x[3]))


def removal_table(removals):
    out = []
    for m, t, a, k, rep, g in removals:
        head = "%d, %s, %s, %s" % (m, c_str(t), c_str(a), c_str(k))
        out += wrap_row(head, rep, ", true" if g else ", false")
    return out


def removal_changes(removals):
    """One sentence per (version, apiVersion): what a reviewer needs to know for that step.
    *List kinds are left out of the sentence: they follow their item kind."""
    groups = {}
    for m, _, api, kind, rep, _ in removals:
        if m == 0 or kind.endswith("List"):
            continue
        groups.setdefault((m, api), {}).setdefault(rep, []).append(kind)
    out = []
    for (m, api), reps in sorted(groups.items()):
        kinds = sorted(k for ks in reps.values() for k in ks)
        if len(reps) == 1:
            use = next(iter(reps))
        else:
            use = "; ".join("%s for %s" % (r, ", ".join(sorted(ks)))
                            for r, ks in sorted(reps.items()))
        text = "Kubernetes 1.%d stops serving %s %s: use %s" % (m, api, ", ".join(kinds), use)
        out.append((m, "kubernetes", False, text))
    return out


def change_table(data, removals):
    out = removal_changes(removals)
    for r in rows(data, "breaking_changes.csv"):
        where = "breaking_changes.csv " + r["version"]
        if r["component"] not in ("kubernetes", "istio"):
            fail(where + ": component must be kubernetes or istio")
        out.append((minor(r["version"], where), r["component"], r["disruptive"] == "yes",
                    r["text"].strip()))
    out.sort(key=lambda x: (x[1], x[0]))
    rows_c = []
    for m, c, d, t in out:
        rows_c += wrap_row("%s, %d, %s" % (c_str(c), m, "true" if d else "false"), t, "")
    return rows_c


def table(ctype, name, body):
    return ["const struct %s %s[] = {" % (ctype, name)] + body + [
        "};", "const size_t %s_count =" % name.replace("_table", ""),
        "    sizeof(%s) / sizeof(%s[0]);" % (name, name), ""]


def generate(data):
    removals = removal_rows(data)
    lines = [
        "/*",
        " * tables.c - GENERATED by scripts/gen_upgrade_tables.py from data/: do not edit.",
        " * Change the CSV files and rerun the script (design/upgrade-data.md).",
        " */",
        "#include \"bluegreen/upgrade.h\"",
        "",
        "/* One row per line, as the generator writes them. */",
        "/* clang-format off */",
    ]
    lines += table("bg_upgrade_eks", "bg_upgrade_eks_table", eks_table(data))
    lines += table("bg_upgrade_istio", "bg_upgrade_istio_table", istio_table(data))
    lines += table("bg_upgrade_removal", "bg_upgrade_removal_table", removal_table(removals))
    lines += table("bg_upgrade_change", "bg_upgrade_change_table", change_table(data, removals))
    lines.append("/* clang-format on */")
    return "\n".join(lines).rstrip("\n") + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.path.join(ROOT, "data"))
    p.add_argument("--output", default=os.path.join(ROOT, "src", "upgrade", "tables.c"))
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    text = generate(args.data)
    if args.check:
        try:
            with open(args.output) as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            sys.exit("%s is out of date: run scripts/gen_upgrade_tables.py" % args.output)
        return
    with open(args.output, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
