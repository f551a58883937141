"""bluegreen_traffic_shift for large target groups and alarm gates, end to end: batch_size
(one RegisterTargets/DeregisterTargets call per batch, chunks of 200, the healthy count never
below where the walk started), alarm_names (checked before each step and through each soak)
and the provider's client-side request rate limit (requests_per_second).

Everything is observed from the stand-in's server-side call log.
"""
import os
import re
import sys
import threading
import time
import unittest

from support.tfharness import Workspace, require_terraform, TERRAFORM

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

STANDIN = None

PROVIDER = """provider "bluegreen" {
  region              = "us-east-1"
  access_key          = "testing"
  secret_key          = "testing"
  max_retries         = 5
  requests_per_second = %(rate)d
  endpoints {
    elbv2      = "%(endpoint)s"
    cloudwatch = "%(endpoint)s"
  }
}
"""

SHIFT = """
resource "bluegreen_traffic_shift" "t" {
  target_group_arn       = "%(arn)s"
  from_targets           = [%(old)s]
  to_targets             = [%(new)s]
  batch_size             = %(batch)d
  alarm_names            = [%(alarms)s]
  soak_seconds           = %(soak)d
  poll_interval_seconds  = 1
  health_timeout_seconds = 20
  on_failure             = "%(on_failure)s"
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


def ips(prefix, n):
    return ["10.%d.%d.%d" % (prefix, i // 200, i % 200 + 1) for i in range(n)]


def flat(text):
    return " ".join(text.split())


class BatchCase(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.s = STANDIN
        self.s.control("reset", {})
        self.s.control("config", {"deregistration_delay": 0.5,
                                  "default_health": {"initial_polls": 1}})
        status, xml = self.s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
        self.assertEqual(status, 200, xml)
        vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
        status, xml = self.s.elbv2("CreateTargetGroup", Name="tg-%d" % (time.time_ns() % 10**9),
                                   Protocol="HTTP", Port="80", VpcId=vpc, TargetType="ip")
        self.assertEqual(status, 200, xml)
        self.arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
        self.ws = Workspace(self, "batches")
        self.ws.isolate_aws()

    def start(self, n_old, n_new):
        self.old, self.new = ips(1, n_old), ips(2, n_new)
        for k in range(0, n_old, 200):
            params = {"TargetGroupArn": self.arn}
            for i, t in enumerate(self.old[k:k + 200], 1):
                params["Targets.member.%d.Id" % i] = t
            status, xml = self.s.elbv2("RegisterTargets", **params)
            self.assertEqual(status, 200, xml)
        self.base = len(self.calls())

    def write(self, batch=1, soak=0, alarms=(), on_failure="rollback_step", rate=10):
        body = SHIFT % {"arn": self.arn, "batch": batch, "soak": soak, "on_failure": on_failure,
                        "old": ", ".join('{ id = "%s" }' % t for t in self.old),
                        "new": ", ".join('{ id = "%s" }' % t for t in self.new),
                        "alarms": ", ".join('"%s"' % a for a in alarms)}
        self.ws.main_tf(body, provider=PROVIDER % {"endpoint": self.s.endpoint, "rate": rate})

    def calls(self):
        return self.s.control("log")["calls"]

    def changes(self):
        """(action, [ids]) of every successful Register/DeregisterTargets of the walk."""
        return [(c["action"], [t["id"] for t in c["targets"]]) for c in self.calls()[self.base:]
                if c["action"] in ("RegisterTargets", "DeregisterTargets") and
                c["status"] == 200 and c["target_group"] == self.arn]

    def sizes(self):
        """Registered targets after each call, replayed from the server's log."""
        members, out = set(self.old), []
        for action, ids in self.changes():
            members = members | set(ids) if action == "RegisterTargets" else members - set(ids)
            out.append(len(members))
        return out


class Batches(BatchCase):
    def test_one_call_per_batch_and_the_group_never_shrinks(self):
        self.start(10, 10)
        self.write(batch=4)
        r = self.ws.ok("plan", "-no-color")
        self.assertEqual(r.out.count('action  = "register"'), 10)
        self.ws.apply()
        ch = self.changes()
        self.assertEqual([(a[0], len(ids)) for a, ids in ch],
                         [("R", 4), ("D", 4), ("R", 4), ("D", 4), ("R", 2), ("D", 2)])
        # to_targets and from_targets are sets: terraform hands them over sorted
        self.assertEqual(ch[0][1], sorted(self.new)[:4], "registers follow to_targets order")
        self.assertEqual(ch[1][1], sorted(self.old)[:4], "deregisters follow from_targets order")
        self.assertGreaterEqual(min(self.sizes()), 10, self.sizes())
        v = self.ws.state_values("bluegreen_traffic_shift.t")
        self.assertEqual(v["current_percent"], 100)
        self.assertEqual([s["percent"] for s in v["steps"]][:8], [28] * 4 + [40] * 4)
        self.ws.assert_no_changes()

    def test_a_batch_larger_than_200_goes_in_chunks_of_200(self):
        self.start(210, 210)
        self.write(batch=210)
        self.ws.apply()
        self.assertEqual([(a[0], len(ids)) for a, ids in self.changes()],
                         [("R", 200), ("R", 10), ("D", 200), ("D", 10)])
        waits = [c for c in self.calls()[self.base:] if c["action"] == "DescribeTargetHealth"]
        self.assertLess(len(waits), 20, "one poll covers the whole batch")
        self.ws.assert_no_changes()

    def test_a_batch_that_would_take_the_healthy_count_below_its_start_is_refused(self):
        self.start(4, 4)
        self.write(batch=2, soak=1, on_failure="halt")
        done = threading.Event()

        def sicken():  # an old target that stays in the group turns unhealthy mid-walk
            while not done.is_set():
                if self.changes():
                    self.s.control("health", {"target": self.old[3], "state": "unhealthy"})
                    return
                time.sleep(0.05)

        t = threading.Thread(target=sicken)
        t.start()
        try:
            r = self.ws.fails("apply", "-auto-approve", "-no-color")
        finally:
            done.set()
            t.join()
        self.assertIn("Refusing to deregister the batch", r.text)
        self.assertIn("fewer than the 4 the walk started with", flat(r.text))
        self.assertEqual([a for a, _ in self.changes()], ["RegisterTargets"])


class Alarms(BatchCase):
    def alarm_in_soak(self, on_failure):
        self.start(3, 3)
        self.s.alarm("ingress-5xx", "OK")
        self.write(soak=3, alarms=["ingress-5xx"], on_failure=on_failure)
        done = threading.Event()

        def fire():  # during the soak after the third step
            while not done.is_set():
                if len(self.changes()) >= 3:
                    self.s.set_alarm("ingress-5xx", "ALARM")
                    return
                time.sleep(0.05)

        t = threading.Thread(target=fire)
        t.start()
        try:
            r = self.ws.fails("apply", "-auto-approve", "-no-color")
        finally:
            done.set()
            t.join()
        self.assertIn("Alarm gate failed", r.text)
        self.assertIn("during the soak", flat(r.text))
        return [(a[0], ids[0]) for a, ids in self.changes()]

    def test_an_alarm_in_a_soak_rolls_the_step_back(self):
        self.assertEqual(self.alarm_in_soak("rollback_step"),
                         [("R", self.new[0]), ("D", self.old[0]), ("R", self.new[1]),
                          ("D", self.new[1]), ("R", self.old[0])])

    def test_an_alarm_in_a_soak_with_halt_leaves_the_membership(self):
        self.assertEqual(len(self.alarm_in_soak("halt")), 3)

    def test_an_alarm_already_firing_blocks_the_first_step(self):
        self.start(3, 3)
        self.s.alarm("ingress-5xx", "ALARM")
        self.write(alarms=["ingress-5xx"])
        r = self.ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("before the step", flat(r.text))
        self.assertEqual(self.changes(), [])

    def test_an_unknown_alarm_fails_the_plan(self):
        self.start(3, 3)
        self.write(alarms=["no-such-alarm"])
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("CloudWatch alarm not found", r.text)


class RateLimit(BatchCase):
    def test_the_provider_never_sends_more_than_its_rate_allows(self):
        self.start(3, 3)
        self.write(rate=2)
        # each provider process has its own bucket: look at the apply's process alone
        self.ws.ok("plan", "-no-color", "-out=tfplan")
        mark = len(self.calls())
        self.ws.ok("apply", "-no-color", "tfplan")
        times = sorted(c["t"] for c in self.calls()[mark:])
        self.assertGreater(len(times), 10)
        # a bucket of 2 refilled at 2/s: at most 2 + 2 * T requests in any T seconds (one more
        # for the server's own timestamping)
        for i, t0 in enumerate(times):
            in_window = sum(1 for t in times[i:] if t < t0 + 1.0)
            self.assertLessEqual(in_window, 5, "%d requests within 1 s from %f" %
                                 (in_window, t0))
        self.assertGreater(times[-1] - times[0], (len(times) - 2) / 2.0 - 1.0,
                           "the walk was paced by the limit")


if __name__ == "__main__":
    unittest.main()
