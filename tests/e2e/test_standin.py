"""Self-test of the AWS stand-in (support/elbv2_standin.py): health sequences, draining,
injected throttling and the server-side call log, over raw Query API HTTP on 127.0.0.1."""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402


def states(xml):
    """{id: state} of a DescribeTargetHealth answer."""
    out = {}
    for m in re.findall(r"<member>(.*?)</member>", xml, re.S):
        out[re.search(r"<Id>(.*?)</Id>", m).group(1)] = re.search(r"<State>(.*?)</State>",
                                                                   m).group(1)
    return out


class StandInTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = StandInProcess()
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()
        if cls.s.proc.returncode != 0:
            raise AssertionError("stand-in exited %r on SIGTERM" % cls.s.proc.returncode)

    def setUp(self):
        self.s.control("reset", {})
        status, xml = self.s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
        self.assertEqual(status, 200, xml)
        vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
        status, xml = self.s.elbv2("CreateTargetGroup", Name="tg%d" % int(time.time() * 1e6 % 1e6),
                                   Protocol="HTTP", Port="80", VpcId=vpc, TargetType="ip")
        self.assertEqual(status, 200, xml)
        self.arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)

    def register(self, *ids, action="RegisterTargets"):
        params = {"TargetGroupArn": self.arn}
        for i, tid in enumerate(ids, 1):
            params["Targets.member.%d.Id" % i] = tid
        return self.s.elbv2(action, **params)

    def health(self):
        status, xml = self.s.elbv2("DescribeTargetHealth", TargetGroupArn=self.arn)
        self.assertEqual(status, 200, xml)
        return states(xml)

    def test_reports_initial_for_n_polls_then_healthy(self):
        self.s.control("health", {"target": "10.0.0.1", "initial_polls": 2, "then": "healthy"})
        self.assertEqual(self.register("10.0.0.1", "10.0.0.2")[0], 200)
        self.assertEqual(self.health(), {"10.0.0.1": "initial", "10.0.0.2": "healthy"})
        self.assertEqual(self.health()["10.0.0.1"], "initial")
        self.assertEqual(self.health()["10.0.0.1"], "healthy")

    def test_reports_initial_for_some_seconds_and_unhealthy_forever(self):
        self.s.control("health", {"target": "10.0.0.1", "initial_seconds": 0.5})
        self.s.control("health", {"target": "10.0.0.3", "state": "unhealthy"})
        self.register("10.0.0.1", "10.0.0.3")
        self.assertEqual(self.health(), {"10.0.0.1": "initial", "10.0.0.3": "unhealthy"})
        time.sleep(0.6)
        self.assertEqual(self.health(), {"10.0.0.1": "healthy", "10.0.0.3": "unhealthy"})
        _, xml = self.s.elbv2("DescribeTargetHealth", TargetGroupArn=self.arn)
        self.assertIn("<Reason>Target.FailedHealthChecks</Reason>", xml)

    def test_shows_a_deregistered_target_draining_for_the_delay(self):
        self.s.control("config", {"deregistration_delay": 0.6})
        self.register("10.0.0.1", "10.0.0.2")
        self.assertEqual(self.register("10.0.0.1", action="DeregisterTargets")[0], 200)
        self.assertEqual(self.health(), {"10.0.0.1": "draining", "10.0.0.2": "healthy"})
        time.sleep(0.7)
        self.assertEqual(self.health(), {"10.0.0.2": "healthy"})

    def test_answers_injected_throttling_in_the_aws_error_layout(self):
        self.s.control("throttle", {"action": "RegisterTargets", "count": 2})
        for _ in range(2):
            status, xml = self.register("10.0.0.1")
            self.assertEqual(status, 400)
            self.assertIn("<Code>Throttling</Code>", xml)
            self.assertTrue(xml.startswith("<ErrorResponse"), xml)
        self.assertEqual(self.register("10.0.0.1")[0], 200)
        self.assertEqual(self.health(), {"10.0.0.1": "healthy"})

    def test_logs_every_elbv2_call_with_time_targets_and_status(self):
        self.s.control("throttle", {"action": "*", "count": 1})
        self.register("10.0.0.9")
        self.register("10.0.0.9")
        calls = [c for c in self.s.control("log")["calls"] if c["action"].endswith("Targets")]
        self.assertEqual([(c["action"], c["status"], c["throttled"]) for c in calls],
                         [("RegisterTargets", 400, True), ("RegisterTargets", 200, False)])
        self.assertEqual(calls[1]["targets"], [{"id": "10.0.0.9", "port": None}])
        self.assertEqual(calls[1]["target_group"], self.arn)
        self.assertLessEqual(calls[0]["t"], calls[1]["t"])

    def test_rejects_unknown_controls(self):
        with self.assertRaises(Exception):
            self.s.control("nope", {})


if __name__ == "__main__":
    unittest.main()
