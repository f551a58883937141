"""Self-test of the AWS stand-in (support/elbv2_standin.py): health sequences, draining,
injected throttling, the server-side call log with each call's credentials, and the metadata
credential endpoints, over raw HTTP on 127.0.0.1."""
import json
import os
import re
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

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

    def signed(self, key, secret, token=None):
        """DescribeTargetGroups signed by botocore (an independent SigV4 implementation)."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        body = urllib.parse.urlencode({"Action": "DescribeTargetGroups",
                                       "Version": "2015-12-01"})
        req = AWSRequest(method="POST", url=self.s.endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        SigV4Auth(Credentials(key, secret, token), "elasticloadbalancing",
                  "us-east-1").add_auth(req)
        r = urllib.request.Request(self.s.endpoint + "/", data=body.encode(),
                                   headers=dict(req.headers.items()))
        try:
            with urllib.request.urlopen(r, timeout=10) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        return status, text, self.s.control("log")["calls"][-1]

    def test_checks_each_calls_signature_against_the_keys_secret(self):
        self.s.control("register", {"access_key": "ASIAGOOD", "secret_key": "right",
                                    "token": "tok", "expires": time.time() + 600})
        status, _, call = self.signed("ASIAGOOD", "right", "tok")
        self.assertEqual(status, 200)
        self.assertEqual((call["access_key"], call["token"], call["signature_ok"],
                          call["key_source"]), ("ASIAGOOD", "tok", True, "registered"))
        self.assertFalse(self.signed("ASIAGOOD", "wrong", "tok")[2]["signature_ok"])
        self.assertFalse(self.signed("ASIAGOOD", "right", "other")[2]["signature_ok"])
        self.assertIsNone(self.signed("AKIDUNKNOWN", "x")[2]["signature_ok"])

    def test_answers_expired_keys_with_expired_token(self):
        self.s.control("register", {"access_key": "ASIAOLD", "secret_key": "s",
                                    "token": "t", "expires": time.time() - 1})
        status, text, call = self.signed("ASIAOLD", "s", "t")
        self.assertEqual(status, 400)
        self.assertIn("<Code>ExpiredToken</Code>", text)
        self.assertTrue(call["expired"])

    def get(self, path, headers=None, method="GET"):
        req = urllib.request.Request(self.s.endpoint + path, headers=headers or {},
                                     method=method, data=b"" if method == "PUT" else None)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_serves_imdsv2_only_with_a_session_token(self):
        base = "/latest/meta-data/iam/security-credentials/"
        self.assertEqual(self.get(base)[0], 401, "IMDSv1 is refused")
        status, token = self.get("/latest/api/token", method="PUT",
                                 headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        self.assertEqual(status, 200)
        auth = {"X-aws-ec2-metadata-token": token}
        self.assertEqual(self.get(base, auth), (200, "ci-role"))
        self.s.control("credentials", {"lifetime": 60})
        status, doc = self.get(base + "ci-role", auth)
        creds = json.loads(doc)
        self.assertEqual(creds["Code"], "Success")
        self.assertTrue(creds["AccessKeyId"].startswith("ASIAIMDS"))
        fetch = self.s.control("log")["fetches"][-1]
        self.assertEqual((fetch["source"], fetch["access_key"]), ("imds", creds["AccessKeyId"]))

    def test_checks_the_container_authorization_token(self):
        self.s.control("credentials", {"container_token": "pod"})
        self.assertEqual(self.get("/_creds/container")[0], 401)
        status, doc = self.get("/_creds/container", {"Authorization": "pod"})
        self.assertEqual(status, 200)
        self.assertIn("AccessKeyId", json.loads(doc))

    def test_rejects_unknown_controls(self):
        with self.assertRaises(Exception):
            self.s.control("nope", {})


if __name__ == "__main__":
    unittest.main()
