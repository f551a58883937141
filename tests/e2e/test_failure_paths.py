"""Failure paths with the real terraform binary: killed applies, files shared by both clusters,
permission bits, hard links, memory on large files, file names that are not UTF-8, skipped
manifests in the scan gate, and a provider orphaned by a killed terraform."""
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from support.tfharness import (Workspace, provider_children, require_terraform, sha256_hex,
                               TERRAFORM, PROVIDER)
import test_traffic_shift as shift

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

PAIR = """
resource "bluegreen_cluster_pair" "prod" {
  directory     = "clusters"
  name          = "aws-prod"
  live          = "%(live)s"
  standby       = %(standby)s
  substitutions = { "1.15" = "1.18" }
}
"""
TOKEN = re.compile(r"(?<![A-Za-z0-9])spoon(?![A-Za-z0-9])")


def pair(live="spoon", standby="true"):
    return PAIR % {"live": live, "standby": standby}


def render(text):
    """The copy bluegreen writes of a spoon file (live = spoon): token swap, then 1.15."""
    return TOKEN.sub("knife", text).replace("1.15", "1.18")


def alive(pid):
    """True while pid runs (a zombie waiting for its reaper counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] != "Z"


def temporaries(ws, rel="clusters"):
    return sorted(n for n in os.listdir(ws.path(rel)) if ".bg-" in n)


def drop_private(ws):
    """What terraform keeps after a provider died in ApplyResourceChange: the prior state,
    without the private data."""
    state = json.loads(ws.ok("state", "pull").out)
    for res in state["resources"]:
        for inst in res["instances"]:
            inst.pop("private", None)
    state["serial"] += 1
    path = ws.path("pushed.tfstate")
    with open(path, "w") as f:
        json.dump(state, f)
    ws.ok("state", "push", path)
    os.unlink(path)


class KillLoop(unittest.TestCase):
    """SIGKILL the provider at random moments of applies that rewrite large copies."""

    FILES = ["aws-prod-spoon.tf", "aws-prod-spoon-nodes.tf", "aws-prod-spoon-iam.tf"]
    KILLS = 20

    def content(self, name, version):
        line = 'resource "x" "spoon_%%d" { cluster = "aws-prod-spoon", v = "1.15", n = %d }\n'
        body = "".join(line % (version) % i for i in range(36000))  # ~3 MiB
        return "# %s version %d of spoon\n%s" % (name, version, body)

    def write_version(self, ws, version):
        want = {}
        for name in self.FILES:
            text = self.content(name, version)
            ws.write("clusters/" + name, text)
            want[name.replace("spoon", "knife")] = sha256_hex(render(text))
        return want

    def copies(self, ws):
        out = {}
        for name in self.FILES:
            copy = name.replace("spoon", "knife")
            p = ws.path("clusters/" + copy)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out[copy] = hashlib.sha256(f.read()).hexdigest()
        return out

    def inodes(self, ws):
        out = []
        for name in self.FILES:
            try:
                out.append(os.stat(ws.path("clusters/" + name.replace("spoon", "knife"))).st_ino)
            except OSError:
                out.append(None)
        return out

    def kill_during_apply(self, ws, strategy, rng):
        """Starts an apply, kills its provider, returns what was killed when."""
        proc = subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-no-color"], cwd=ws.root,
                                env=ws.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        start, killed, delay = time.time(), None, rng.uniform(0.2, 1.5)
        inodes = self.inodes(ws)
        while proc.poll() is None and killed is None and time.time() - start < 60:
            pids = provider_children(proc.pid)
            ready = (strategy == "mid-write" and temporaries(ws)) or \
                    (strategy == "mid-rename" and self.inodes(ws) != inodes) or \
                    (strategy == "random" and time.time() - start >= delay)
            if pids and ready:
                try:
                    os.kill(pids[-1], signal.SIGKILL)
                    killed = "%s after %.2fs" % (strategy, time.time() - start)
                except ProcessLookupError:
                    pass  # that launch ended between the look-up and the kill
            time.sleep(0.002)
        out, _ = proc.communicate(timeout=120)
        return killed, proc.returncode, out

    def test_killed_applies_leave_old_or_new_copies_and_the_next_apply_finishes(self):
        require_terraform(self)
        ws = Workspace(self, "kill")
        ws.main_tf(pair())
        old = self.write_version(ws, 0)
        ws.apply()
        self.assertEqual(self.copies(ws), old)
        rng = random.Random(int(os.environ.get("BG_KILL_SEED", "7")))
        figures = {"kills": 0, "failed_applies": 0, "mixed": 0, "all_new": 0, "all_old": 0,
                   "temporaries_left": 0, "recoveries": 0, "reverted": 0}
        version = base = 0
        while figures["kills"] < self.KILLS:
            version += 1
            new = self.write_version(ws, version)
            strategy = ("random", "mid-write", "random", "mid-rename")[version % 4]
            killed, code, out = self.kill_during_apply(ws, strategy, rng)
            if killed is None:
                old, base = new, version  # the apply ended before the moment came: not a kill
                continue
            figures["kills"] += 1
            figures["failed_applies"] += code != 0
            got = self.copies(ws)
            for copy, sha in got.items():
                self.assertIn(sha, (old[copy], new[copy]),
                              "%s is neither old nor new content (%s)" % (copy, killed))
            self.assertEqual(sorted(got), sorted(new), "a copy vanished (%s)" % killed)
            news = sum(1 for c in got if got[c] == new[c] and new[c] != old[c])
            figures["all_new" if news == len(got) else "mixed" if news else "all_old"] += 1
            figures["temporaries_left"] += len(temporaries(ws))
            if version % 5 == 2:
                # The change is reverted before anyone re-applies it (a revert PR): the copies
                # the killed apply renamed into place are in no record, yet still ours.
                new = self.write_version(ws, base)
                figures["reverted"] += 1
            else:
                base = version
            ws.apply()  # the next apply finishes with no manual step
            figures["recoveries"] += 1
            self.assertEqual(self.copies(ws), new, "recovery apply after %s" % killed)
            self.assertEqual(temporaries(ws), [], "temporaries left after recovery")
            old = new
        ws.assert_no_changes()
        sys.stderr.write("\nkill loop: %s\n" % json.dumps(figures))
        self.assertGreater(figures["failed_applies"], 0)


class KilledApplyRecords(unittest.TestCase):
    """Terraform keeps the prior state and drops the private data when the provider dies in
    ApplyResourceChange (drop_private reproduces exactly that outcome)."""

    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "records")
        self.ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15" }\n')
        self.ws.main_tf(pair())
        self.ws.apply()

    def test_copies_written_before_the_kill_are_rewritten_by_an_unrelated_later_change(self):
        ws = self.ws
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15", n = 2 }\n')
        # The killed apply renamed its copy into place, then died before answering.
        ws.write("clusters/aws-prod-knife.tf", 'locals { knife = "1.18", n = 2 }\n')
        drop_private(ws)
        ws.apply()  # plan is not empty: the state still records the old copy
        ws.assert_no_changes()
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15", n = 3 }\n')
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-knife.tf"), 'locals { knife = "1.18", n = 3 }\n')

    def test_old_copy_left_by_a_killed_apply_is_still_ours(self):
        ws = self.ws
        drop_private(ws)
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15", n = 4 }\n')
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-knife.tf"), 'locals { knife = "1.18", n = 4 }\n')

    def test_hand_edit_is_still_refused_without_private_state(self):
        ws = self.ws
        drop_private(ws)
        ws.write("clusters/aws-prod-knife.tf", 'locals { knife = "hotfix" }\n')
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15", n = 5 }\n')
        r = ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("Standby file edited by hand", r.err)
        self.assertEqual(ws.read("clusters/aws-prod-knife.tf"), 'locals { knife = "hotfix" }\n')

    def test_killed_promotion_completes_and_leaves_the_old_cluster_alone(self):
        ws = self.ws
        ws.main_tf(pair(live="knife"))
        drop_private(ws)  # as if the promotion's apply had been killed
        before = ws.snapshot("clusters")
        ws.apply()
        self.assertEqual(ws.snapshot("clusters"), before)
        self.assertEqual(ws.state_values("bluegreen_cluster_pair.prod")["generated_color"],
                         "knife")
        drop_private(ws)  # and a later apply killed too: the old cluster is still not ours
        ws.write("clusters/aws-prod-knife.tf", 'locals { knife = "1.18", n = 6 }\n')
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-spoon.tf"), 'locals { spoon = "1.15" }\n')
        ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(ws.listdir("clusters"), ["aws-prod-knife.tf", "aws-prod-spoon.tf"])

    def test_destroy_after_a_killed_apply_removes_the_unedited_copies(self):
        ws = self.ws
        drop_private(ws)
        ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(ws.listdir("clusters"), ["aws-prod-spoon.tf"])

    def test_stale_temporaries_are_removed_by_the_next_plan(self):
        ws = self.ws
        dead = subprocess.Popen(["true"])
        dead.wait()
        names = [".aws-prod-knife.tf.bg-%d-0123456789abcdef.tmp" % dead.pid,
                 ".aws-prod-knife.tf.bg-00112233445566ff"]
        running = ".aws-prod-knife.tf.bg-%d-0123456789abcdef.tmp" % os.getpid()
        other = ".aws-stage-knife.tf.bg-%d-0123456789abcdef.tmp" % dead.pid
        for n in names + [running, other]:
            ws.write("clusters/" + n, "secret leftovers\n")
        ws.assert_no_changes()
        self.assertEqual(temporaries(ws), sorted([running, other]))


class SharedFiles(unittest.TestCase):
    def test_file_naming_both_clusters_survives_duplicate_teardown_promote_teardown(self):
        require_terraform(self)
        ws = Workspace(self, "shared")
        peering = "clusters/aws-prod-spoon-to-aws-prod-knife-peering.tf"
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15" }\n')
        ws.write(peering, 'resource "x" "peer" { a = "aws-prod-spoon", b = "aws-prod-knife" }\n')
        kept = ws.snapshot("clusters")[os.path.basename(peering)]

        def check(r):
            self.assertEqual(ws.snapshot("clusters")[os.path.basename(peering)], kept)
            self.assertFalse([n for n in ws.listdir("clusters") if "knife-to-aws-prod-knife" in n
                              or "spoon-to-aws-prod-spoon" in n])
            if r is not None:
                self.assertEqual(r.text.count("Files shared by both clusters are left alone"), 1,
                                 r)
                self.assertIn(peering, r.text)

        steps = [("spoon", "true"), ("spoon", "false"), ("spoon", "true"), ("knife", "true"),
                 ("knife", "false")]
        for live, standby in steps:
            ws.main_tf(pair(live, standby))
            r = ws.ok("plan", "-no-color")
            self.assertNotIn('"%s"' % peering, r.out, "the plan must not list the shared file")
            check(r)
            ws.apply()
            check(None)
            if (live, standby) == ("spoon", "true"):
                self.assertTrue(ws.exists("clusters/aws-prod-knife.tf"))
            if standby == "false":
                gone = "spoon" if live == "knife" else "knife"
                self.assertFalse(ws.exists("clusters/aws-prod-%s.tf" % gone))
        self.assertEqual(ws.listdir("clusters"),
                         ["aws-prod-knife.tf", os.path.basename(peering)])
        ws.ok("destroy", "-auto-approve", "-no-color")
        check(None)


class Modes(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "modes")
        self.ws.main_tf(pair())

    def mode(self, rel):
        return os.stat(self.ws.path(rel)).st_mode & 0o7777

    def test_copies_keep_0600_and_0640_through_a_rewrite(self):
        ws = self.ws
        ws.write("clusters/aws-prod-spoon-secrets.tf", 'locals { spoon_key = "1.15" }\n')
        ws.write("clusters/aws-prod-spoon-vars.tf", 'locals { spoon_vars = "1.15" }\n')
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15" }\n')
        os.chmod(ws.path("clusters/aws-prod-spoon-secrets.tf"), 0o600)
        os.chmod(ws.path("clusters/aws-prod-spoon-vars.tf"), 0o640)
        ws.apply()
        self.assertEqual(self.mode("clusters/aws-prod-knife-secrets.tf"), 0o600)
        self.assertEqual(self.mode("clusters/aws-prod-knife-vars.tf"), 0o640)
        self.assertEqual(self.mode("clusters/aws-prod-knife.tf"), 0o644)
        with open(ws.path("clusters/aws-prod-spoon-secrets.tf"), "a") as f:
            f.write("# rotated\n")
        with open(ws.path("clusters/aws-prod-spoon-vars.tf"), "a") as f:
            f.write("# more\n")
        ws.apply()
        self.assertIn("# rotated", ws.read("clusters/aws-prod-knife-secrets.tf"))
        self.assertEqual(self.mode("clusters/aws-prod-knife-secrets.tf"), 0o600)
        self.assertEqual(self.mode("clusters/aws-prod-knife-vars.tf"), 0o640)
        ws.assert_no_changes()

    def test_hard_linked_live_file_is_refused_by_name(self):
        ws = self.ws
        outside = tempfile.mkdtemp(prefix="bg-e2e-outside-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", outside]))
        with open(os.path.join(outside, "credentials"), "w") as f:
            f.write("aws_secret = spoon\n")
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15" }\n')
        os.link(os.path.join(outside, "credentials"), ws.path("clusters/aws-prod-spoon-creds.tf"))
        r = ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("Live file refused", r.err)
        self.assertIn("clusters/aws-prod-spoon-creds.tf has 2 hard links", r.err)
        self.assertEqual(ws.listdir("clusters"), ["aws-prod-spoon-creds.tf", "aws-prod-spoon.tf"])


WRAPPER = r'''#!/usr/bin/env python3
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
with open(os.environ["BG_RSS_LOG"], "a") as f:
    f.write("%d\n" % usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
'''


class Memory(unittest.TestCase):
    def test_plan_over_twenty_8_mib_live_files_stays_under_64_mb(self):
        require_terraform(self)
        sanitized = bool(os.environ.get("BG_SANITIZER_LOGS") or
                         os.environ.get("BG_PROVIDER_WRAPPER"))
        scratch = tempfile.mkdtemp(prefix="bg-e2e-rss-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", scratch]))
        wrapper, log = os.path.join(scratch, "wrap.py"), os.path.join(scratch, "rss")
        with open(wrapper, "w") as f:
            f.write(WRAPPER)
        os.chmod(wrapper, 0o755)
        saved = os.environ.get("BG_PROVIDER_WRAPPER")
        os.environ["BG_PROVIDER_WRAPPER"] = wrapper if not saved else saved
        try:
            ws = Workspace(self, "rss")
        finally:
            if saved is None:
                del os.environ["BG_PROVIDER_WRAPPER"]
        ws.env["BG_RSS_LOG"] = log
        line = 'resource "x" "spoon" { cluster = "aws-prod-spoon", version = "1.15" }\n'
        body = line * (8 * 1024 * 1024 // len(line))
        for i in range(20):
            ws.write("clusters/aws-prod-spoon-%02d.tf" % i, body)
        ws.main_tf(pair())
        r = ws.ok("plan", "-no-color")
        self.assertEqual(len(re.findall(r'"clusters/aws-prod-knife-\d\d\.tf" += "[0-9a-f]{64}"',
                                        r.out)), 20, "each copy's hash in files")
        self.assertEqual(r.out.count("over the 1048576-byte limit of contents"), 20,
                         "each 8 MiB copy is a note in contents, not its text")
        if saved:
            return  # valgrind or another wrapper measures something else
        with open(log) as f:
            peaks = [int(x) for x in f.read().split()]
        peak_mb = max(peaks) / 1024.0
        sys.stderr.write("\nplan over 20 x 8 MiB: provider peak RSS %.1f MB (%d launches)\n"
                         % (peak_mb, len(peaks)))
        if not sanitized:
            self.assertLess(peak_mb, 64, peaks)


class FileNames(unittest.TestCase):
    def test_name_that_is_not_utf8_is_a_plan_diagnostic_naming_it(self):
        require_terraform(self)
        ws = Workspace(self, "utf8")
        ws.write("clusters/aws-prod-spoon.tf", 'locals { spoon = "1.15" }\n')
        fd = os.open(os.fsencode(ws.path("clusters")) + b"/aws-prod-spoon-caf\xe9.tf",
                     os.O_WRONLY | os.O_CREAT, 0o644)
        os.close(fd)
        ws.main_tf(pair())
        r = ws.fails("plan", "-no-color")
        self.assertIn("File name is not valid UTF-8", r.err)
        self.assertIn(r"clusters/aws-prod-spoon-caf\xe9.tf", r.err)
        self.assertNotIn("msgpack", r.err)


INGRESS = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\n"
GATE = """data "bluegreen_deprecated_apis" "gate" {
  directory          = "k8s"
  kubernetes_version = "1.22"
  fail_on_findings   = %s
}
output "skipped" { value = data.bluegreen_deprecated_apis.gate.skipped }
"""


class ScanGate(unittest.TestCase):
    """A manifest the scanner could not read may hold exactly the removed API."""

    def setUp(self):
        require_terraform(self)
        self.ws = ws = Workspace(self, "gate")
        ws.write("k8s/ok.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\n")
        ws.write("k8s/big.yaml", INGRESS + "# padding\n" * (1024 * 1024))  # 10 MiB
        with open(ws.path("k8s/utf16.yaml"), "wb") as f:
            f.write(INGRESS.encode("utf-16"))
        deep = "k8s/" + "/".join("d%d" % i for i in range(64))
        ws.write(deep + "/deep.yaml", INGRESS)
        os.symlink("/etc/hostname", ws.path("k8s/outside.yaml"))

    def test_skipped_files_fail_the_gate_by_name_and_reason(self):
        ws = self.ws
        ws.main_tf(GATE % "true")
        r = ws.fails("plan", "-no-color")
        self.assertIn("Manifests were not scanned", r.err)
        text = " ".join(r.err.split())
        self.assertIn("k8s/big.yaml is larger than the 8 MiB limit", text)
        self.assertIn("k8s/utf16.yaml is UTF-16 or UTF-32 text", text)
        self.assertIn("k8s/outside.yaml is a symlink leading outside the repository root", text)
        self.assertRegex(text, r"k8s/d0/d1/.*/d63/ is deeper than 64 folder levels")
        self.assertIn("3 file(s) and 1 folder(s) could not be scanned", text)

    def test_without_fail_a_warning_lists_them_and_skipped_holds_them(self):
        ws = self.ws
        ws.main_tf(GATE % "false")
        r = ws.apply()
        self.assertIn("Warning: Manifests were not scanned", r.text)
        out = json.loads(ws.ok("output", "-json", "skipped").out)
        reasons = {o["path"]: o["reason"] for o in out}
        self.assertIn("larger than the 8 MiB limit", reasons["k8s/big.yaml"])
        self.assertIn("UTF-16", reasons["k8s/utf16.yaml"])
        self.assertEqual([o["directory"] for o in out if "d63" in o["path"]], [True])
        self.assertEqual(len(out), 4)


class ParentDeath(shift.ShiftCase):
    """terraform SIGKILLed (a cancelled CI job) while the provider soaks between two steps."""

    @classmethod
    def setUpClass(cls):
        cls.started = False
        if TERRAFORM and shift.STANDIN is None:
            shift.STANDIN = StandInProcess(os.environ.get("BG_STANDIN_LOG", os.devnull))
            shift.STANDIN.start()
            cls.started = True

    @classmethod
    def tearDownClass(cls):
        if cls.started:
            shift.STANDIN.stop()
            shift.STANDIN = None

    def test_provider_exits_within_seconds_when_terraform_is_killed_mid_apply(self):
        self.s.control("config", {"default_health": {"initial_seconds": 0.2}})
        self.write(soak=120)
        proc = subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-no-color"],
                                cwd=self.ws.root, env=self.ws.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and self.count("RegisterTargets", shift.NEW[0]) == 0:
            time.sleep(0.05)
        self.assertEqual(self.count("RegisterTargets", shift.NEW[0]), 1, "walk never started")
        pids = provider_children(proc.pid)
        self.assertEqual(len(pids), 1, pids)
        time.sleep(0.5)  # well inside the 120 s soak
        proc.kill()
        proc.wait()
        killed = time.time()
        while alive(pids[0]) and time.time() - killed < 30:
            time.sleep(0.05)
        gone = time.time() - killed
        sys.stderr.write("\nprovider gone %.2f s after terraform was SIGKILLed\n" % gone)
        self.assertFalse(alive(pids[0]), "provider still running 30 s after terraform died")
        self.assertLess(gone, 10)
        # It stopped at a safe point: the next apply finishes the walk, each move once.
        self.write(soak=0)
        self.ws.apply()
        self.assertEqual(self.sequence(), [25, 33, 50, 66, 75, 100])
        self.assert_each_once()


if __name__ == "__main__":
    unittest.main()
