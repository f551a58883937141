"""bluegreen_traffic_shift end to end: real terraform, the provider under test and the ELBv2
stand-in (moto plus health sequences, draining and throttling) on 127.0.0.1.

The walk is observed from the server side: the stand-in's call log is replayed into the
membership after every RegisterTargets/DeregisterTargets, which gives the percent sequence
the load balancer really went through (not what the provider says it did).
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

from support.tfharness import Workspace, provider_pid, require_terraform, TERRAFORM

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

OLD = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
NEW = ["10.0.1.1", "10.0.1.2", "10.0.1.3"]
STANDIN = None

PROVIDER = """provider "bluegreen" {
  region      = "us-east-1"
  access_key  = "testing"
  secret_key  = "%(secret)s"
  max_retries = 5
  endpoints {
    elbv2 = "%(endpoint)s"
  }
}
"""
SECRET = "standin-secret-never-logged"  # moto checks no signature: any secret works

SHIFT = """
resource "bluegreen_traffic_shift" "t" {
  target_group_arn       = "%(arn)s"
  from_targets           = [%(old)s]
  to_targets             = [%(new)s]
  percent                = %(percent)d
  soak_seconds           = %(soak)d
  poll_interval_seconds  = 1
  health_timeout_seconds = %(timeout)d
  on_failure             = "%(on_failure)s"
  on_destroy             = "%(on_destroy)s"
  exclusive              = %(exclusive)s
}
"""


def setUpModule():
    global STANDIN
    if not TERRAFORM:
        return
    STANDIN = StandInProcess(os.environ.get("BG_STANDIN_LOG", os.devnull))
    STANDIN.start()


def tearDownModule():
    if STANDIN is not None:
        STANDIN.stop()


def targets(ids):
    return ", ".join('{ id = "%s" }' % i for i in ids)


def replay(calls, arn, start):
    """Percent after each successful register/deregister of the group, from the server log."""
    members, seq = set(start), []
    for c in calls:
        if c["target_group"] != arn or c["status"] != 200:
            continue
        ids = {t["id"] for t in c["targets"]}
        if c["action"] == "RegisterTargets":
            members |= ids
        elif c["action"] == "DeregisterTargets":
            members -= ids
        else:
            continue
        new = len(members & set(NEW))
        total = len(members & set(NEW + OLD))
        seq.append(100 * new // total if total else 0)
    return seq


class ShiftCase(unittest.TestCase):
    """A fresh target group holding OLD, and a workspace pointing at the stand-in."""

    def setUp(self):
        require_terraform(self)
        self.s = STANDIN
        self.s.control("reset", {})
        self.s.control("config", {"deregistration_delay": 1.0})
        status, xml = self.s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
        self.assertEqual(status, 200, xml)
        self.vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
        self.arn = self.create_group("tg-%d" % (time.time_ns() % 10**9))
        self.register(*OLD)
        self.ws = Workspace(self, "shift")
        # Shared AWS files of the developer running the tests must not leak in.
        self.ws.isolate_aws()
        self.write()
        self.base = self.mark()  # the walk starts after the setup's own calls

    def create_group(self, name, target_type="ip"):
        status, xml = self.s.elbv2("CreateTargetGroup", Name=name, Protocol="HTTP", Port="80",
                                   VpcId=self.vpc, TargetType=target_type)
        self.assertEqual(status, 200, xml)
        return re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)

    def targets_call(self, action, ids):
        params = {"TargetGroupArn": self.arn}
        for i, tid in enumerate(ids, 1):
            params["Targets.member.%d.Id" % i] = tid
        status, xml = self.s.elbv2(action, **params)
        self.assertEqual(status, 200, xml)

    def register(self, *ids):
        self.targets_call("RegisterTargets", ids)

    def deregister(self, *ids):
        self.targets_call("DeregisterTargets", ids)

    def write(self, percent=100, soak=0, timeout=30, on_failure="rollback_step",
              on_destroy="keep", arn=None, old=OLD, new=NEW, provider=None, exclusive=False):
        body = SHIFT % {"arn": arn or self.arn, "old": targets(old), "new": targets(new),
                        "percent": percent, "soak": soak, "timeout": timeout,
                        "on_failure": on_failure, "on_destroy": on_destroy,
                        "exclusive": "true" if exclusive else "false"}
        self.ws.main_tf(body, provider=provider or self.provider())

    def provider(self):
        return PROVIDER % {"endpoint": self.s.endpoint, "secret": SECRET}

    def calls(self):
        return self.s.control("log")["calls"]

    def mark(self):
        return len(self.calls())

    def sequence(self, since=None, start=OLD):
        return replay(self.calls()[self.base if since is None else since:], self.arn, start)

    def registered(self):
        """Registered (not draining) target ids, straight from the stand-in."""
        status, xml = self.s.elbv2("DescribeTargetHealth", TargetGroupArn=self.arn)
        self.assertEqual(status, 200, xml)
        out = set()
        for m in re.findall(r"<member>(.*?)</member>", xml, re.S):
            state = re.search(r"<State>(.*?)</State>", m).group(1)
            if state not in ("draining", "unused"):
                out.add(re.search(r"<Id>(.*?)</Id>", m).group(1))
        return out

    def count(self, action, target, since=0):
        return sum(1 for c in self.calls()[since:] if c["action"] == action and
                   c["status"] == 200 and any(t["id"] == target for t in c["targets"]))

    def assert_each_once(self, since=0):
        for t in NEW:
            self.assertEqual(self.count("RegisterTargets", t, since), 1, t)
        for t in OLD:
            self.assertEqual(self.count("DeregisterTargets", t, since), 1, t)


class Walk(ShiftCase):
    def test_full_walk_goes_25_33_50_66_75_100_on_the_server(self):
        r = self.ws.ok("plan", "-no-color")
        for pct in (25, 33, 50, 66, 75, 100):
            self.assertIn("percent = %d" % pct, r.out)
        self.assertEqual(self.sequence(), [], "plan must not touch the target group")
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "TRACE"})
        self.assertEqual(self.sequence(), [25, 33, 50, 66, 75, 100])
        provider_lines = [l for l in r.err.splitlines() if "terraform-provider-bluegreen" in l]
        self.assertNotIn(SECRET, "\n".join(provider_lines))
        info = [l for l in provider_lines if "[INFO]" in l]
        starts = [l for l in info if "phase=start" in l]
        steps = [l for l in info if "phase=done" in l]
        self.assertEqual(len(starts), 6, "\n".join(info))
        self.assertEqual(len(steps), 6, "\n".join(info))
        self.assertIn("step 1/6: register %s, 0%% -> 25%% on to_targets" % NEW[0], starts[0])
        self.assertIn("step register %s: healthy, 25%% on to_targets" % NEW[0], steps[0])
        self.assertIn("target=%s" % OLD[2], steps[5])
        self.assertIn("percent=100", steps[5])
        # each deregister waits for draining (1 s in the stand-in) and says so while it waits
        self.assertTrue(any("waiting for %s to finish draining: draining" % OLD[0] in l
                            for l in info), "\n".join(info))
        self.assertTrue(any("walk finished" in l and "percent=100" in l for l in info))
        self.assertNotIn(SECRET, self.ws.read("terraform.tfstate"))
        self.assert_each_once()
        self.assertEqual(self.registered(), set(NEW))
        v = self.ws.state_values("bluegreen_traffic_shift.t")
        self.assertEqual(v["current_percent"], 100)
        self.assertEqual(sorted(m["id"] for m in v["members"]), NEW)
        self.assertEqual([s["percent"] for s in v["steps"]], [25, 33, 50, 66, 75, 100])
        self.ws.assert_no_changes()

    def test_partial_walk_to_50_then_100_waits_for_initial_targets(self):
        self.s.control("health", {"target": NEW[0], "initial_polls": 2, "then": "healthy"})
        self.write(percent=50)
        self.ws.apply()
        self.assertEqual(self.sequence(), [25, 33, 50])
        self.assertEqual(self.registered(), {OLD[1], OLD[2], NEW[0], NEW[1]})
        self.ws.assert_no_changes()
        self.write(percent=100)
        r = self.ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertRegex(r.out, r"percent = (\d+ -> )?66\n")
        self.assertNotRegex(r.out, r"percent = (\d+ -> )?25\n")
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.sequence(mark, start=[OLD[1], OLD[2], NEW[0], NEW[1]]),
                         [66, 75, 100])
        self.assert_each_once()
        self.ws.assert_no_changes()

    def test_throttling_is_answered_with_retries(self):
        self.s.control("throttle", {"action": "RegisterTargets", "count": 2})
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "WARN"})
        self.assertIn("RegisterTargets: retry 2", r.err)
        self.assertIn("Throttling", r.err)
        throttled = [c for c in self.calls() if c["throttled"]]
        self.assertEqual(len(throttled), 2)
        self.assertEqual(self.sequence(), [25, 33, 50, 66, 75, 100])
        self.assertEqual(self.registered(), set(NEW))


class Progress(ShiftCase):
    def test_a_soak_reports_time_left_while_it_runs_and_the_plan_estimates_the_waits(self):
        # two steps (+NEW[0] -OLD[0]) with one 12 s soak between them
        status, xml = self.s.elbv2("ModifyTargetGroupAttributes", TargetGroupArn=self.arn,
                                   **{"Attributes.member.1.Key":
                                      "deregistration_delay.timeout_seconds",
                                      "Attributes.member.1.Value": "1"})
        self.assertEqual(status, 200, xml)
        self.write(percent=33, soak=12)
        r = self.ws.ok("plan", "-no-color")
        self.assertIn("estimated_duration_seconds = 13", r.out, "12 s soak + 1 s drain")
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "INFO"})
        info = [l for l in r.err.splitlines()
                if "terraform-provider-bluegreen" in l and "[INFO]" in l]
        text = "\n".join(info)
        first = [i for i, l in enumerate(info) if "step 1/2: register %s" % NEW[0] in l]
        done = [i for i, l in enumerate(info) if "step register %s: healthy" % NEW[0] in l]
        second = [i for i, l in enumerate(info) if "step 2/2: deregister %s" % OLD[0] in l]
        self.assertEqual((len(first), len(done), len(second)), (1, 1, 1), text)
        self.assertIn("0% -> 25% on to_targets", info[first[0]])
        self.assertIn("25% -> 33% on to_targets", info[second[0]])
        during = [l for l in info[done[0] + 1:second[0]] if "soak before step 2/2" in l]
        self.assertGreaterEqual(len(during), 2, text)
        self.assertIn("12 s of 12 s left", during[0])
        self.assertTrue(all("phase=soak" in l for l in during), text)
        self.assertEqual(self.sequence(), [25, 33])
        v = self.ws.state_values("bluegreen_traffic_shift.t")
        self.assertEqual(v["estimated_duration_seconds"], 13)
        self.ws.assert_no_changes()


class HealthGate(ShiftCase):
    """NEW[1] never becomes healthy: the third step fails its gate after 2 s."""

    def fail_second_new(self, on_failure):
        self.s.control("health", {"target": NEW[1], "state": "unhealthy"})
        self.write(on_failure=on_failure, timeout=2)
        r = self.ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("Health gate failed", r.text)
        self.assertIn(NEW[1], r.text)
        self.assertIn("unhealthy", r.text)
        return r

    def test_rollback_step_removes_the_failed_target_and_restores_the_old_one(self):
        self.fail_second_new("rollback_step")
        self.assertEqual(self.registered(), set(OLD) | {NEW[0]})
        self.assertEqual(self.sequence(), [25, 33, 50, 33, 25])
        v = self.ws.state_values("bluegreen_traffic_shift.t")
        self.assertIsNone(v, "a failed create records nothing: AWS holds the progress")
        r = self.ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn('target  = "%s"' % NEW[1], r.out)

    def test_rollback_all_walks_back_to_the_membership_before_the_apply(self):
        self.fail_second_new("rollback_all")
        self.assertEqual(self.registered(), set(OLD))
        self.assertEqual(self.sequence(), [25, 33, 50, 33, 25, 0])

    def test_halt_stops_where_it_is(self):
        self.fail_second_new("halt")
        self.assertEqual(self.registered(), {OLD[1], OLD[2], NEW[0], NEW[1]})
        self.assertEqual(self.sequence(), [25, 33, 50])

    def test_update_failure_keeps_the_partial_state(self):
        self.write(percent=50)
        self.ws.apply()
        self.s.control("health", {"target": NEW[2], "state": "unhealthy"})
        self.write(percent=100, timeout=2, on_failure="halt")
        r = self.ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn(NEW[2], r.text)
        v = self.ws.state_values("bluegreen_traffic_shift.t")
        # NEW[2] stays registered (halt) and counts: 3 of 4 managed targets are new.
        self.assertEqual(v["current_percent"], 75)
        states = {m["id"]: m["state"] for m in v["members"]}
        self.assertEqual(states[NEW[2]], "unhealthy")


class Interrupt(ShiftCase):
    def start_apply(self):
        env = dict(self.ws.env)
        return subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-no-color"],
                                cwd=self.ws.root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def wait_registers(self, n, proc):
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            done = sum(1 for c in self.calls()
                       if c["action"] == "RegisterTargets" and c["status"] == 200 and
                       c["targets"][0]["id"] in NEW)
            if done >= n:
                return
            time.sleep(0.05)
        self.fail("walk did not reach %d registrations" % n)

    def test_sigint_finishes_the_step_then_a_new_apply_completes_the_walk(self):
        self.s.control("config", {"default_health": {"initial_seconds": 1.0}})
        self.write(soak=1)
        proc = self.start_apply()
        self.wait_registers(2, proc)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        self.assertIn("Traffic shift paused", out)
        partial = self.sequence()
        self.assertTrue(2 < len(partial) < 6, partial)
        self.ws.apply()
        self.assertEqual(self.sequence(), [25, 33, 50, 66, 75, 100])
        self.assert_each_once()
        self.ws.assert_no_changes()

    def test_killed_provider_then_a_new_apply_completes_the_walk(self):
        self.s.control("config", {"default_health": {"initial_seconds": 1.0}})
        self.write(soak=1)
        proc = self.start_apply()
        self.wait_registers(2, proc)
        os.kill(provider_pid(self, proc.pid), signal.SIGKILL)
        proc.communicate(timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.ws.apply()
        self.assertEqual(self.sequence(), [25, 33, 50, 66, 75, 100])
        self.assert_each_once()
        self.ws.assert_no_changes()


class Drift(ShiftCase):
    def test_drift_both_ways_is_shown_with_a_warning_and_repaired(self):
        self.ws.apply()
        self.register(OLD[0])
        r = self.ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn("changed outside Terraform", r.text)
        self.assertIn("registered %s" % OLD[0], r.text)
        self.assertIn('target  = "%s"' % OLD[0], r.out)
        self.ws.apply()
        self.assertEqual(self.registered(), set(NEW))
        self.deregister(NEW[1])
        time.sleep(1.2)  # draining ends
        r = self.ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn("deregistered %s" % NEW[1], r.text)
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.count("RegisterTargets", NEW[1], mark), 1)
        self.assertEqual(self.registered(), set(NEW))
        self.ws.assert_no_changes()

    def test_foreign_target_is_named_and_left_alone(self):
        self.register("10.0.9.9")
        r = self.ws.apply()
        self.assertIn("10.0.9.9", r.text)
        self.assertIn("neither set", r.text)
        self.assertEqual(self.registered(), set(NEW) | {"10.0.9.9"})

    def test_exclusive_deregisters_foreign_targets_in_the_walk(self):
        self.register("10.0.9.9")
        self.write(exclusive=True)
        r = self.ws.ok("plan", "-no-color")
        self.assertIn('target  = "10.0.9.9"', r.out)
        self.ws.apply()
        self.assertEqual(self.registered(), set(NEW))
        self.ws.assert_no_changes()


class Lifecycle(ShiftCase):
    def test_import_by_target_group_arn(self):
        self.ws.apply()
        os.unlink(self.ws.path("terraform.tfstate"))
        self.ws.ok("import", "-no-color", "bluegreen_traffic_shift.t", self.arn)
        v = self.ws.state_values("bluegreen_traffic_shift.t")
        self.assertEqual(v["target_group_arn"], self.arn)
        self.assertEqual(sorted(m["id"] for m in v["members"]), NEW)
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.sequence(mark, start=NEW), [], "nothing left to walk")
        self.ws.assert_no_changes()

    def import_generating(self, import_id):
        """Forgets the shift, then imports it with an import block and -generate-config-out:
        the generated configuration must validate and plan nothing but the import."""
        self.ws.apply()
        os.unlink(self.ws.path("terraform.tfstate"))
        self.ws.main_tf('import {\n  to = bluegreen_traffic_shift.t\n  id = "%s"\n}\n' % import_id,
                        provider=self.provider())
        self.ws.ok("plan", "-no-color", "-generate-config-out=generated.tf")
        gen = self.ws.read("generated.tf")
        self.assertNotRegex(gen, r"\n  (from|to)_targets *= null", "the sets are written")
        self.ws.ok("validate", "-no-color")
        r = self.ws.ok("plan", "-no-color")
        self.assertIn("1 to import, 0 to add, 0 to change, 0 to destroy", r.out)
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.sequence(mark, start=NEW), [], "nothing left to walk")
        self.ws.assert_no_changes()
        return gen

    def test_import_block_by_arn_generates_a_configuration_that_validates(self):
        gen = self.import_generating(self.arn)
        self.assertRegex(gen, r"from_targets\s*=\s*\[\s*\]")
        for ip in NEW:
            self.assertRegex(gen, r'id\s*=\s*"%s"' % re.escape(ip))
        self.assertEqual(self.registered(), set(NEW))

    def test_import_id_may_name_both_sets(self):
        gen = self.import_generating("%s;from=%s;to=%s" % (
            self.arn, ",".join(OLD), ",".join(ip + ":80" for ip in NEW)))
        for ip in OLD + NEW:
            self.assertRegex(gen, r'id\s*=\s*"%s"' % re.escape(ip))
        self.assertRegex(gen, r"port\s*=\s*80")

    def test_import_rejects_a_bad_target_in_the_id(self):
        r = self.ws.fails("import", "-no-color", "bluegreen_traffic_shift.t",
                          self.arn + ";to=10.0.1.1:99999")
        self.assertIn("is not a target", r.text)

    def test_import_rejects_a_non_arn(self):
        r = self.ws.fails("import", "-no-color", "bluegreen_traffic_shift.t", "tg-1")
        self.assertIn("Invalid import ID", r.text)

    def test_destroy_keep_leaves_the_membership(self):
        self.ws.apply()
        self.ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(self.registered(), set(NEW))

    def test_destroy_restore_walks_back_to_from_targets(self):
        self.write(on_destroy="restore")
        self.ws.apply()
        mark = self.mark()
        self.ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(self.registered(), set(OLD))
        self.assertEqual(self.sequence(mark, start=NEW), [75, 66, 50, 33, 25, 0])


class BadInput(ShiftCase):
    def test_invalid_arn(self):
        self.write(arn="arn:aws:s3:::bucket")
        r = self.ws.fails("validate", "-no-color")
        self.assertIn("Invalid target group ARN", r.text)

    def test_overlapping_sets(self):
        self.write(new=[OLD[0], NEW[1]])
        r = self.ws.fails("validate", "-no-color")
        self.assertIn("Overlapping target sets", r.text)
        self.assertIn(OLD[0], r.text)

    def test_empty_set(self):
        self.write(new=[])
        r = self.ws.fails("validate", "-no-color")
        self.assertIn("to_targets", r.text)

    def test_unknown_target_group(self):
        arn = re.sub(r"/[0-9a-f]{16}$", "/0123456789abcdef", self.arn)
        self.write(arn=arn)
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("Target group not found", r.text)
        self.assertIn("TargetGroupNotFound", r.text)

    def test_missing_credentials_are_named(self):
        self.write(provider='provider "bluegreen" {\n  region = "us-east-1"\n'
                            '  endpoints {\n    elbv2 = "%s"\n  }\n}\n' % self.s.endpoint)
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("AWS access is not configured", r.text)
        self.assertIn("credentials", r.text)
        self.assertNotIn("testing", r.text)

    def test_missing_region_is_named(self):
        self.write(provider='provider "bluegreen" {\n  access_key = "AKIDEXAMPLE"\n'
                            '  secret_key = "s3cr3t-never-shown"\n}\n')
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("region", r.text)
        self.assertNotIn("s3cr3t-never-shown", r.text)

    def test_unregistrable_target_reports_the_aws_code(self):
        status, xml = self.s.ec2("RunInstances", ImageId="ami-12c6146b", MinCount="1",
                                 MaxCount="1")
        self.assertEqual(status, 200, xml)
        instance = re.search(r"<instanceId>(.*?)</instanceId>", xml).group(1)
        status, xml = self.s.ec2("StopInstances", **{"InstanceId.1": instance})
        self.assertEqual(status, 200, xml)
        self.arn = self.create_group("tg-inst-%d" % (time.time_ns() % 10**6), "instance")
        self.write(old=["i-00000000000000001"], new=[instance])
        r = self.ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("Invalid target", r.text)
        self.assertIn("InvalidTarget", r.text)
        self.assertIn(instance, r.text)


GUARDED_PAIR = """
resource "bluegreen_cluster_pair" "prod" {
  directory = "clusters"
  name      = "aws-prod"
  live      = "%(live)s"
  standby   = %(standby)s
  teardown_guard {
    target_group_arn = "%(arn)s"
    targets          = [%(targets)s]
  }
}
"""


class TeardownGuard(ShiftCase):
    """cluster_pair refuses to remove the old cluster's files while its targets serve."""

    def pair(self, live, standby):
        body = GUARDED_PAIR % {"live": live, "standby": standby, "arn": self.arn,
                               "targets": ", ".join('"%s"' % t for t in OLD)}
        self.ws.main_tf(body, provider=self.provider())

    def test_teardown_waits_until_no_old_target_is_registered(self):
        ws = self.ws
        ws.write("clusters/aws-prod-spoon.tf", 'module "eks_spoon" { source = "./m" }\n')
        self.pair("spoon", "true")
        ws.apply()
        self.pair("knife", "true")
        ws.apply()  # promotion: spoon is now the old cluster
        self.pair("knife", "false")
        r = ws.fails("plan", "-no-color")
        self.assertIn("Teardown refused", r.text)
        for t in OLD:
            self.assertIn(t, r.text)
        self.assertTrue(ws.exists("clusters/aws-prod-spoon.tf"))
        self.deregister(*OLD[1:])
        ws.fails("plan", "-no-color")  # draining still counts as serving
        self.deregister(OLD[0])
        time.sleep(1.3)  # draining ends
        ws.ok("plan", "-no-color", "-out=tfplan")
        self.register(OLD[2])
        r = ws.fails("apply", "-no-color", "tfplan")
        self.assertIn(OLD[2], r.text)
        self.assertTrue(ws.exists("clusters/aws-prod-spoon.tf"), "apply checks again")
        self.deregister(OLD[2])
        time.sleep(1.3)
        ws.apply()
        self.assertFalse(ws.exists("clusters/aws-prod-spoon.tf"))
        self.assertTrue(ws.exists("clusters/aws-prod-knife.tf"))

    def test_pair_without_guard_needs_no_aws(self):
        self.ws.write("clusters/aws-prod-spoon.tf", 'module "eks_spoon" { source = "./m" }\n')
        self.ws.main_tf('resource "bluegreen_cluster_pair" "p" {\n  directory = "clusters"\n'
                        '  name = "aws-prod"\n  live = "spoon"\n}\n')
        self.ws.apply()
        self.assertTrue(self.ws.exists("clusters/aws-prod-knife.tf"))


if __name__ == "__main__":
    unittest.main()
