"""CI-grade AWS access end to end: real terraform walks a bluegreen_traffic_shift with each
credential source of the chain and no static keys in the provider block, against moto's STS and
the stand-in's IMDSv2 and container endpoints on 127.0.0.1.

What is checked is what the ELBv2 stand-in saw: every ELBv2 call's access key id, its
X-Amz-Security-Token, and whether its SigV4 signature verifies against the secret of that key
(the stand-in knows the secret of every key it or moto's STS issued). An expired key is answered
ExpiredToken, as AWS does, and counted.

No test reaches anything but 127.0.0.1: every workspace sets AWS_EC2_METADATA_DISABLED (unless
the test points AWS_EC2_METADATA_SERVICE_ENDPOINT at the stand-in) and the provider's loopback
guard (tfharness.NO_METADATA).
"""
import json
import os
import re
import sys
import time
import unittest

from support.tfharness import Workspace, require_terraform, TERRAFORM
from test_interrupts import LIMIT, SilentEndpoint, interrupt_after, start

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

OLD = ["10.0.0.1", "10.0.0.2"]
NEW = ["10.0.1.1", "10.0.1.2"]
ROLE = "arn:aws:iam::123456789012:role/bluegreen-ci"
# moto keeps a backend per account: the target group lives in the account of the role
TARGET_ROLE = "arn:aws:iam::123456789012:role/traffic-shift"
STANDIN = None

PROVIDER = """provider "bluegreen" {
  region      = "us-east-1"
  max_retries = 2
%(extra)s
  endpoints {
    elbv2 = "%(endpoint)s"
%(sts)s  }
}
"""
SHIFT = """
resource "bluegreen_traffic_shift" "t" {
  target_group_arn       = "%(arn)s"
  from_targets           = [%(old)s]
  to_targets             = [%(new)s]
  soak_seconds           = %(soak)d
  poll_interval_seconds  = 1
  health_timeout_seconds = 30
}
"""
# A web identity token as GitHub's OIDC provider hands one out (moto checks none of it).
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm9yZy9pbmZyYTpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2ln"


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


class CredentialCase(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.s = STANDIN
        self.s.control("reset", {})
        status, xml = self.s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
        self.assertEqual(status, 200, xml)
        vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
        status, xml = self.s.elbv2("CreateTargetGroup", Name="tg-cred-%d" % (time.time_ns() %
                                                                              10**9),
                                   Protocol="HTTP", Port="80", VpcId=vpc, TargetType="ip")
        self.assertEqual(status, 200, xml)
        self.arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
        params = {"TargetGroupArn": self.arn}
        for i, t in enumerate(OLD, 1):
            params["Targets.member.%d.Id" % i] = t
        status, xml = self.s.elbv2("RegisterTargets", **params)
        self.assertEqual(status, 200, xml)
        self.ws = Workspace(self, "creds")
        self.ws.isolate_aws()
        self.base = len(self.log()["calls"])

    def log(self):
        return self.s.control("log")

    def write(self, extra="", soak=0, sts=False):
        self.ws.main_tf(SHIFT % {"arn": self.arn, "old": targets(OLD), "new": targets(NEW),
                                 "soak": soak},
                        provider=PROVIDER % {"extra": extra, "endpoint": self.s.endpoint,
                                             "sts": ('    sts   = "%s"\n' % self.s.endpoint
                                                     if sts else "")})

    def file(self, name, text):
        return self.ws.write(".aws/" + name, text)

    def walk_calls(self):
        return [c for c in self.log()["calls"][self.base:] if c["target_group"] == self.arn]

    def assert_walk_signed_with(self, source, role=None):
        """The walk completed, and every ELBv2 call of it was signed with a temporary key from
        `source` and its session token, with a valid signature and an unexpired key."""
        calls = self.walk_calls()
        status, xml = self.s.elbv2("DescribeTargetHealth", TargetGroupArn=self.arn)
        self.assertEqual(set(re.findall(r"<Id>(.*?)</Id>", xml)), set(NEW), xml)
        actions = {c["action"] for c in calls}
        self.assertTrue({"RegisterTargets", "DeregisterTargets",
                         "DescribeTargetHealth"} <= actions, actions)
        for c in calls:
            self.assertEqual(c["key_source"], source, c)
            self.assertTrue(c["access_key"].startswith("ASIA"), c)
            self.assertTrue(c["token"], "no X-Amz-Security-Token: %r" % c)
            self.assertTrue(c["signature_ok"], "signature does not verify: %r" % c)
            self.assertFalse(c["expired"], c)
            if role is not None:
                self.assertEqual(c["key_role"], role, c)
        self.assertNotIn("testing", {c["access_key"] for c in calls})
        return calls


class Sources(CredentialCase):
    def test_web_identity_from_the_environment_signs_the_walk_with_sts_keys(self):
        token = self.file("oidc-token", OIDC_TOKEN + "\n")
        self.ws.env.update({"AWS_ROLE_ARN": ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE": token,
                            "AWS_ROLE_SESSION_NAME": "gha-run-1",
                            "AWS_ENDPOINT_URL_STS": self.s.endpoint})
        self.write()
        r = self.ws.apply()
        self.assertNotIn(OIDC_TOKEN, r.text)
        self.assert_walk_signed_with("sts", role=ROLE)
        self.assertNotIn(OIDC_TOKEN, self.ws.read("terraform.tfstate"))

    def test_profile_role_arn_with_source_profile(self):
        self.file("credentials", "[base]\naws_access_key_id = AKIDBASEPROFILE\n"
                                 "aws_secret_access_key = base-secret-never-shown\n")
        self.file("config", "[profile deploy]\nrole_arn = %s\nsource_profile = base\n"
                            "role_session_name = deploy-session\n" % ROLE)
        self.ws.env.update({"AWS_PROFILE": "deploy", "AWS_ENDPOINT_URL_STS": self.s.endpoint})
        self.write()
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "TRACE"})
        self.assertNotIn("base-secret-never-shown", r.text)
        self.assertIn('AWS credentials from profile "base" keys, role %s' % ROLE, r.err)
        calls = self.assert_walk_signed_with("sts", role=ROLE)
        self.assertNotIn("AKIDBASEPROFILE", {c["access_key"] for c in calls})

    def test_credential_process_profile(self):
        creds = {"Version": 1, "AccessKeyId": "ASIAPROCESS0001",
                 "SecretAccessKey": "process-secret", "SessionToken": "process-token",
                 "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                             time.gmtime(time.time() + 3600))}
        path = self.file("helper-output.json", json.dumps(creds))
        self.s.control("register", {"access_key": "ASIAPROCESS0001",
                                    "secret_key": "process-secret", "token": "process-token",
                                    "expires": time.time() + 3600})
        self.file("config", "[profile helper]\ncredential_process = cat '%s'\n" % path)
        self.ws.env["AWS_PROFILE"] = "helper"
        self.write()
        self.ws.apply()
        calls = self.assert_walk_signed_with("registered")
        self.assertEqual({c["access_key"] for c in calls}, {"ASIAPROCESS0001"})

    def test_container_credentials_full_uri_with_a_token_file(self):
        self.s.control("credentials", {"container_token": "pod-identity-token"})
        token = self.file("pod-token", "pod-identity-token\n")
        self.ws.env.update({
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": self.s.endpoint + "/_creds/container",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token})
        self.write()
        self.ws.apply()
        self.assert_walk_signed_with("container")

    def test_container_credentials_relative_uri(self):
        self.s.control("credentials", {"container_token": "ecs-token"})
        self.ws.env.update({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/_creds/container",
                            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ecs-token",
                            "BG_AWS_INTERNAL_CONTAINER_HOST": self.s.endpoint})
        self.write()
        self.ws.apply()
        self.assert_walk_signed_with("container")

    def test_instance_metadata_imdsv2(self):
        del self.ws.env["AWS_EC2_METADATA_DISABLED"]
        self.ws.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.s.endpoint
        self.write()
        self.ws.apply()
        self.assert_walk_signed_with("imds")

    def test_assume_role_block_on_top_of_environment_keys_with_endpoints_sts(self):
        self.ws.env.update({"AWS_ACCESS_KEY_ID": "AKIDENVBASE",
                            "AWS_SECRET_ACCESS_KEY": "env-secret-never-shown"})
        self.write(sts=True, extra="""  assume_role {
    role_arn     = "%s"
    session_name = "bluegreen-apply"
    external_id  = "acme-prod"
    duration     = "15m"
    tags         = { team = "platform" }
  }""" % TARGET_ROLE)
        r = self.ws.apply()
        self.assertNotIn("env-secret-never-shown", r.text)
        calls = self.assert_walk_signed_with("sts", role=TARGET_ROLE)
        self.assertNotIn("AKIDENVBASE", {c["access_key"] for c in calls})

    def test_web_identity_block_then_assume_role_into_the_target_account(self):
        token = self.file("oidc-token", OIDC_TOKEN)
        self.write(sts=True, extra="""  assume_role_with_web_identity {
    role_arn                = "%s"
    web_identity_token_file = "%s"
    duration                = "1h"
  }
  assume_role {
    role_arn = "%s"
  }""" % (ROLE, token, TARGET_ROLE))
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "TRACE"})
        self.assertNotIn(OIDC_TOKEN, r.text)
        self.assertIn("AWS credentials from assume_role_with_web_identity (%s), role %s "
                      "(assume_role)" % (ROLE, TARGET_ROLE), r.err)
        self.assert_walk_signed_with("sts", role=TARGET_ROLE)

    def test_an_invalid_duration_is_a_diagnostic_on_the_attribute(self):
        self.ws.env.update({"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x"})
        self.write(extra='  assume_role {\n    role_arn = "%s"\n    duration = "1d"\n  }'
                   % TARGET_ROLE)
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("Invalid duration", r.text)
        self.assertIn("assume_role.duration", r.text)

    def test_no_source_names_each_source_tried_and_no_secret(self):
        self.ws.env.update({"AWS_SECRET_ACCESS_KEY": "half-a-pair-never-shown",
                            "AWS_PROFILE": "ci"})
        self.file("config", "[profile ci]\nregion = us-east-1\n")
        self.write()
        r = self.ws.fails("plan", "-no-color")
        text = " ".join(r.text.split())  # terraform wraps long diagnostics
        self.assertIn("AWS access is not configured", text)
        for source in ("provider access_key/secret_key: not set",
                       "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: only one of the pair set",
                       "AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: not set",
                       'profile "ci": no credentials in it',
                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI: not set",
                       "EC2 instance metadata: disabled (AWS_EC2_METADATA_DISABLED)"):
            self.assertIn(source, text)
        self.assertNotIn("half-a-pair-never-shown", r.text)
        self.assertEqual(self.walk_calls(), [], "no AWS call without credentials")

    def test_a_refused_web_identity_is_named_with_the_role(self):
        self.ws.env.update({"AWS_ROLE_ARN": ROLE,
                            "AWS_WEB_IDENTITY_TOKEN_FILE": self.ws.path("missing-token"),
                            "AWS_ENDPOINT_URL_STS": self.s.endpoint})
        self.write()
        r = self.ws.fails("plan", "-no-color")
        text = " ".join(r.text.split())
        self.assertIn("web identity (AWS_ROLE_ARN %s" % ROLE, text)
        self.assertIn("missing-token: No such file or directory", text)


class StopDuringCredentials(CredentialCase):
    def test_ctrl_c_while_sts_never_answers_ends_terraform_in_seconds(self):
        sts = SilentEndpoint()
        self.addCleanup(sts.close)
        token = self.file("oidc-token", OIDC_TOKEN)
        self.ws.env.update({"AWS_ROLE_ARN": ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE": token,
                            "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:%d" % sts.port})
        self.write()
        proc = start(self.ws, "plan", "-no-color")
        took, out = interrupt_after(proc, lambda: sts.accepted > 0, group=False)
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertLess(took, LIMIT, out)
        self.assertIn("Stopped before AWS answered", out)
        self.assertIn("getting AWS credentials from web identity", " ".join(out.split()))


class RegionHint(CredentialCase):
    def test_a_target_group_in_another_region_gets_a_hint_naming_both(self):
        self.ws.env.update({"AWS_ACCESS_KEY_ID": "AKIDSTATIC", "AWS_SECRET_ACCESS_KEY": "x"})
        self.arn = self.arn.replace(":us-east-1:", ":eu-west-1:")
        self.write()
        r = self.ws.fails("plan", "-no-color")
        text = " ".join(r.text.split())
        self.assertIn("TargetGroupNotFound", text)
        self.assertIn("The target group ARN is in region eu-west-1 but the provider uses region "
                      'us-east-1: set region = "eu-west-1"', text)


class Refresh(CredentialCase):
    """The metadata stand-in issues 60-second keys; the walk lasts about 80 s. The provider
    renews each key halfway through its life (the 5-minute margin, capped by half the
    lifetime), so no ELBv2 call is ever signed with an expired key."""

    def test_sixty_second_credentials_are_renewed_during_a_long_walk(self):
        self.s.control("credentials", {"lifetime": 60})
        del self.ws.env["AWS_EC2_METADATA_DISABLED"]
        self.ws.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.s.endpoint
        self.write(soak=26)  # 4 steps, 3 soaks: ~80 s, past the first key's expiry
        t0 = time.time()
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "INFO"})
        took = time.time() - t0
        calls = self.assert_walk_signed_with("imds")
        keys = []
        for c in calls:
            if c["access_key"] not in keys:
                keys.append(c["access_key"])
        fetches = [f for f in self.log()["fetches"] if f["t"] >= t0]
        sys.stderr.write("\n  [walk %.0f s, %d ELBv2 calls, %d keys, %d metadata fetches] " %
                         (took, len(calls), len(keys), len(fetches)))
        self.assertGreater(took, 60, "the walk must outlive the first key")
        self.assertGreaterEqual(len(keys), 2, "the key was never renewed")
        self.assertEqual(sum(1 for c in self.log()["calls"] if c["expired"]), 0)
        self.assertLess(len(fetches), len(calls), "a fetch per request is no cache")
        self.assertIn("AWS credentials from EC2 instance metadata", r.err)


if __name__ == "__main__":
    unittest.main()
