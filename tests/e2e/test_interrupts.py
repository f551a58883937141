"""Ctrl-C is prompt whatever the AWS endpoint does: real terraform, the provider under test, and
endpoints on 127.0.0.1 that accept a request and never answer.

Three ways an interrupt reaches a provider, each must end terraform within 5 s:
  * a terminal Ctrl-C (or a CI runner cancelling the job) signals terraform's whole process
    group: during the plan phase of `terraform apply` terraform sends no StopProvider, so the
    provider's own SIGINT handling has to cut the hanging request short;
  * SIGINT to terraform alone during `terraform plan`: terraform sends StopProvider;
  * SIGINT to terraform alone during the apply phase: StopProvider again, mid-walk, and the
    next apply finishes the walk from the target group's membership.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

from support.tfharness import Workspace, require_terraform, TERRAFORM

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

LIMIT = 5.0  # seconds from the interrupt to terraform's exit
ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"
PROVIDER = """provider "bluegreen" {
  region      = "us-east-1"
  access_key  = "testing"
  secret_key  = "testing"
  max_retries = 3
  endpoints {
    elbv2 = "%s"
  }
}
"""
SHIFT = """
resource "bluegreen_traffic_shift" "t" {
  target_group_arn       = "%s"
  from_targets           = [{ id = "10.0.0.1" }, { id = "10.0.0.2" }]
  to_targets             = [{ id = "10.0.1.1" }, { id = "10.0.1.2" }]
  poll_interval_seconds  = 1
  soak_seconds           = 0
  health_timeout_seconds = 60
}
"""


class SilentEndpoint:
    """Accepts connections on 127.0.0.1 and reads what is sent, never answering."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.conns = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.sock.settimeout(0.2)
        while not self.done.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            self.conns.append(c)

    def close(self):
        self.done.set()
        self.thread.join(5)
        for c in self.conns:
            c.close()
        self.sock.close()


def interrupt_after(proc, ready, group):
    """Waits until ready() (at most 60 s), sends SIGINT, returns (seconds to exit, output)."""
    deadline = time.time() + 60
    while not ready() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(0.5)  # let the request settle into its wait
    t0 = time.time()
    if group:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    else:
        proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    took = time.time() - t0
    sys.stderr.write("\n  [interrupt -> terraform exit: %.2f s] " % took)
    return took, out


def clean_env(ws):
    """The developer's own AWS settings must not leak into a test."""
    ws.isolate_aws()


def start(ws, *args):
    return subprocess.Popen([TERRAFORM] + list(args), cwd=ws.root, env=ws.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


class Interrupt(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "interrupt")
        clean_env(self.ws)

    def silent(self):
        ep = SilentEndpoint()
        self.addCleanup(ep.close)
        self.ws.main_tf(SHIFT % ARN, provider=PROVIDER % ("http://127.0.0.1:%d" % ep.port))
        return ep

    def test_terminal_ctrl_c_during_the_plan_phase_of_apply_ends_terraform_in_seconds(self):
        ep = self.silent()
        proc = start(self.ws, "apply", "-auto-approve", "-no-color")
        took, out = interrupt_after(proc, lambda: ep.accepted > 0, group=True)
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertLess(took, LIMIT, out)
        self.assertIn("Stopped before AWS answered", out)
        self.assertIn("DescribeTargetHealth", out)

    def test_sigint_to_terraform_during_plan_stops_the_hanging_request(self):
        ep = self.silent()
        proc = start(self.ws, "plan", "-no-color")
        took, out = interrupt_after(proc, lambda: ep.accepted > 0, group=False)
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertLess(took, LIMIT, out)
        self.assertIn("Stopped before AWS answered", out)


class InterruptMidWalk(unittest.TestCase):
    """An endpoint that answers the plan, then hangs on RegisterTargets during apply."""

    @classmethod
    def setUpClass(cls):
        cls.s = None
        if TERRAFORM:
            cls.s = StandInProcess(os.environ.get("BG_STANDIN_LOG", os.devnull))
            cls.s.start()

    @classmethod
    def tearDownClass(cls):
        if cls.s is not None:
            cls.s.stop()

    def setUp(self):
        require_terraform(self)
        self.s.control("reset", {})
        status, xml = self.s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
        self.assertEqual(status, 200, xml)
        vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
        status, xml = self.s.elbv2("CreateTargetGroup", Name="tg-int", Protocol="HTTP",
                                   Port="80", VpcId=vpc, TargetType="ip")
        self.assertEqual(status, 200, xml)
        self.arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
        status, xml = self.s.elbv2("RegisterTargets", TargetGroupArn=self.arn,
                                   **{"Targets.member.1.Id": "10.0.0.1",
                                      "Targets.member.2.Id": "10.0.0.2"})
        self.assertEqual(status, 200, xml)
        self.ws = Workspace(self, "interrupt-walk")
        clean_env(self.ws)
        self.ws.main_tf(SHIFT % self.arn, provider=PROVIDER % self.s.endpoint)

    def hung(self):
        return any(c.get("hung") for c in self.s.control("log")["calls"])

    def test_sigint_while_a_register_call_hangs_ends_terraform_and_the_next_apply_finishes(self):
        self.s.control("hang", {"action": "RegisterTargets", "count": 1})
        proc = start(self.ws, "apply", "-auto-approve", "-no-color")
        took, out = interrupt_after(proc, self.hung, group=False)
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertLess(took, LIMIT, out)
        self.assertTrue(self.hung(), "the walk never reached the hanging RegisterTargets")
        self.s.control("hang", {"action": "RegisterTargets", "count": 0})
        self.ws.apply()
        status, xml = self.s.elbv2("DescribeTargetHealth", TargetGroupArn=self.arn)
        ids = set(re.findall(r"<Id>(.*?)</Id>", xml))
        self.assertEqual(ids, {"10.0.1.1", "10.0.1.2"}, xml)
        self.ws.assert_no_changes()


if __name__ == "__main__":
    unittest.main()
