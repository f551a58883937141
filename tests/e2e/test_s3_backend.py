"""Remote state the way CI runs it: terraform's S3 backend with a lock file (`use_lockfile`),
on moto's S3 inside the AWS stand-in on 127.0.0.1, and a runner that dies mid-walk.

The runner's death is SIGKILL to terraform's whole process group (terraform and the provider,
as when a CI job is cancelled hard or its machine goes away): the state lock stays behind in
the bucket, the next apply refuses to run, `terraform force-unlock` releases it, and the apply
after that finishes the walk from the target group's membership - every target registered and
deregistered exactly once, as the stand-in's call log shows.
"""
import os
import re
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

from support.tfharness import Workspace, require_terraform, TERRAFORM

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

OLD = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
NEW = ["10.0.1.1", "10.0.1.2", "10.0.1.3"]
BUCKET = "bluegreen-tfstate"
KEY = "env/prod/traffic.tfstate"

MAIN = """terraform {
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
  backend "s3" {
    bucket                      = "%(bucket)s"
    key                         = "%(key)s"
    region                      = "us-east-1"
    use_lockfile                = true
    use_path_style              = true
    endpoints                   = { s3 = "%(endpoint)s" }
    access_key                  = "testing"
    secret_key                  = "testing"
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    skip_s3_checksum            = true
  }
}

provider "bluegreen" {
  region      = "us-east-1"
  access_key  = "testing"
  secret_key  = "testing"
  max_retries = 3
  endpoints {
    elbv2 = "%(endpoint)s"
  }
}

resource "bluegreen_traffic_shift" "t" {
  target_group_arn       = "%(arn)s"
  from_targets           = [%(old)s]
  to_targets             = [%(new)s]
  soak_seconds           = 1
  poll_interval_seconds  = 1
  health_timeout_seconds = 30
}
"""


def targets(ids):
    return ", ".join('{ id = "%s" }' % i for i in ids)


class S3Backend(unittest.TestCase):
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
        self.s.control("config", {"default_health": {"initial_seconds": 1.0}})
        self.s3("PUT", "/" + BUCKET)
        status, xml = self.s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
        self.assertEqual(status, 200, xml)
        vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
        status, xml = self.s.elbv2("CreateTargetGroup", Name="tg-s3", Protocol="HTTP",
                                   Port="80", VpcId=vpc, TargetType="ip")
        self.assertEqual(status, 200, xml)
        self.arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
        params = {"TargetGroupArn": self.arn}
        for i, t in enumerate(OLD, 1):
            params["Targets.member.%d.Id" % i] = t
        self.assertEqual(self.s.elbv2("RegisterTargets", **params)[0], 200)
        self.ws = Workspace(self, "s3")
        self.ws.isolate_aws()
        self.ws.write("main.tf", MAIN % {"bucket": BUCKET, "key": KEY,
                                         "endpoint": self.s.endpoint, "arn": self.arn,
                                         "old": targets(OLD), "new": targets(NEW)})
        self.base = len(self.calls())

    def s3(self, method, path):
        auth = ("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, "
                "SignedHeaders=host, Signature=0")
        req = urllib.request.Request(self.s.endpoint + path, method=method,
                                     data=b"" if method == "PUT" else None,
                                     headers={"Authorization": auth})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def objects(self):
        status, xml = self.s3("GET", "/%s?list-type=2" % BUCKET)
        self.assertEqual(status, 200, xml)
        return set(re.findall(r"<Key>(.*?)</Key>", xml))

    def calls(self):
        return self.s.control("log")["calls"]

    def count(self, action, target):
        return sum(1 for c in self.calls()[self.base:] if c["action"] == action and
                   c["status"] == 200 and c["target_group"] == self.arn and
                   any(t["id"] == target for t in c["targets"]))

    def kill_runner_mid_walk(self):
        """Starts an apply and SIGKILLs terraform's process group after two registrations."""
        proc = subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-no-color"],
                                cwd=self.ws.root, env=self.ws.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline and proc.poll() is None:
            if sum(self.count("RegisterTargets", t) for t in NEW) >= 2:
                break
            time.sleep(0.05)
        self.assertIsNone(proc.poll(), "the walk ended before the runner was killed")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)

    def init(self):
        """terraform init for the backend, offline: the provider comes from a local mirror
        (never the registry), dev_overrides serve it afterwards."""
        version = os.environ.get("BG_PROVIDER_VERSION", "0.1.0")
        arch = "arm64" if os.uname().machine in ("aarch64", "arm64") else "amd64"
        d = self.ws.path(".mirror/registry.terraform.io/spoonknife/bluegreen/%s/linux_%s" %
                         (version, arch))
        os.makedirs(d)
        os.symlink(os.path.join(self.ws.root, ".provider", "terraform-provider-bluegreen"),
                   os.path.join(d, "terraform-provider-bluegreen_v" + version))
        self.ws.ok("init", "-no-color", "-input=false", "-plugin-dir=" + self.ws.path(".mirror"))

    def test_killed_runner_leaves_a_lock_force_unlock_then_apply_finishes_the_walk(self):
        self.init()
        self.kill_runner_mid_walk()
        self.assertIn(KEY + ".tflock", self.objects(), "the dead runner's lock stays behind")
        partial = sum(self.count("RegisterTargets", t) for t in NEW)
        self.assertLess(partial, len(NEW), "the walk was cut short")

        r = self.ws.fails("apply", "-auto-approve", "-no-color", "-lock-timeout=0s")
        self.assertIn("Error acquiring the state lock", r.text)
        lock_id = re.search(r"ID:\s+([0-9a-f-]{36})", r.text)
        self.assertIsNotNone(lock_id, r.text)
        self.ws.ok("force-unlock", "-force", lock_id.group(1))
        self.assertNotIn(KEY + ".tflock", self.objects())

        self.ws.apply()
        for t in NEW:
            self.assertEqual(self.count("RegisterTargets", t), 1, t)
        for t in OLD:
            self.assertEqual(self.count("DeregisterTargets", t), 1, t)
        status, xml = self.s.elbv2("DescribeTargetHealth", TargetGroupArn=self.arn)
        self.assertEqual({m for m in re.findall(r"<Id>(.*?)</Id>", xml)} - set(OLD), set(NEW))
        self.assertIn(KEY, self.objects(), "the state lives in the bucket")
        self.assertFalse(self.ws.exists("terraform.tfstate"), "no local state")
        self.assertIn("bluegreen_traffic_shift.t", self.ws.ok("state", "list").out)
        self.ws.assert_no_changes()


if __name__ == "__main__":
    unittest.main()
