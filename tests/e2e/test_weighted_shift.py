"""bluegreen_weighted_shift end to end: real terraform, the provider under test and the AWS
stand-in (moto's ELBv2 and CloudWatch plus health states and AWS's action checks) on
127.0.0.1.

The walk is observed from the server side: every ModifyListener/ModifyRule the stand-in
received is in its call log with the exact weights sent, so the share sequence asserted is
the one the load balancer really went through.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

from support.tfharness import Workspace, provider_pid, require_terraform, TERRAFORM

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

STANDIN = None
SECRET = "standin-secret-never-logged"
OLD = ["10.0.0.1", "10.0.0.2"]
NEW = ["10.0.1.1", "10.0.1.2"]

PROVIDER = """provider "bluegreen" {
  region      = "us-east-1"
  access_key  = "testing"
  secret_key  = "%(secret)s"
  max_retries = 5
  endpoints {
    elbv2      = "%(endpoint)s"
    cloudwatch = "%(endpoint)s"
  }
}
"""

SHIFT = """
resource "bluegreen_weighted_shift" "w" {
  %(subject)s = "%(subject_arn)s"
  from_target_group_arn  = "%(from_tg)s"
  to_target_group_arn    = "%(to_tg)s"
  percent                = %(percent)d
  %(schedule)s
  alarm_names            = [%(alarms)s]
  soak_seconds           = %(soak)d
  poll_interval_seconds  = 1
  health_timeout_seconds = %(timeout)d
  on_failure             = "%(on_failure)s"
  on_destroy             = "%(on_destroy)s"
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


def flat(text):
    """terraform wraps diagnostics at 78 columns: compare with whitespace collapsed."""
    return " ".join(text.split())


def share(weights, from_tg, to_tg):
    f, t = weights.get(from_tg) or 0, weights.get(to_tg) or 0
    return (200 * t + f + t) // (2 * (f + t)) if f + t else 0


class WeightedCase(unittest.TestCase):
    """A load balancer whose listener forwards to FROM (plain forward), FROM and TO holding
    healthy targets, and a workspace pointing at the stand-in."""

    def setUp(self):
        require_terraform(self)
        self.s = STANDIN
        self.s.control("reset", {})
        self.s.control("config", {"deregistration_delay": 0.5})
        self.vpc = self.xml_field(self.s.ec2("CreateVpc", CidrBlock="10.0.0.0/16"), "vpcId")
        subnets = [self.xml_field(self.s.ec2("CreateSubnet", VpcId=self.vpc,
                                             CidrBlock="10.0.%d.0/24" % i,
                                             AvailabilityZone=az), "subnetId")
                   for i, az in enumerate(["us-east-1a", "us-east-1b"])]
        name = "lb-%d" % (time.time_ns() % 10**8)
        self.lb = self.xml_field(self.s.elbv2("CreateLoadBalancer", Name=name,
                                              **{"Subnets.member.1": subnets[0],
                                                 "Subnets.member.2": subnets[1]}),
                                 "LoadBalancerArn")
        self.from_tg = self.create_group(name + "-blue")
        self.to_tg = self.create_group(name + "-green")
        self.other_tg = self.create_group(name + "-other")
        self.targets("RegisterTargets", self.from_tg, OLD)
        self.targets("RegisterTargets", self.to_tg, NEW)
        self.listener = self.xml_field(self.s.elbv2(
            "CreateListener", LoadBalancerArn=self.lb, Protocol="HTTP", Port="80",
            **{"DefaultActions.member.1.Type": "forward",
               "DefaultActions.member.1.TargetGroupArn": self.from_tg}), "ListenerArn")
        self.ws = Workspace(self, "weighted")
        self.ws.isolate_aws()
        self.write()
        self.base = len(self.calls())

    # -- AWS helpers ------------------------------------------------------------------------
    def xml_field(self, answer, field):
        status, xml = answer
        self.assertEqual(status, 200, xml)
        return re.search(r"<%s>(.*?)</%s>" % (field, field), xml).group(1)

    def create_group(self, name):
        return self.xml_field(self.s.elbv2("CreateTargetGroup", Name=name[-32:], Protocol="HTTP",
                                           Port="80", VpcId=self.vpc, TargetType="ip"),
                              "TargetGroupArn")

    def targets(self, action, tg, ids):
        params = {"TargetGroupArn": tg}
        for i, tid in enumerate(ids, 1):
            params["Targets.member.%d.Id" % i] = tid
        status, xml = self.s.elbv2(action, **params)
        self.assertEqual(status, 200, xml)

    def set_weights(self, from_w, to_w, arn=None):
        """Changes the weights by hand, as someone in the console would."""
        arn = arn or self.listener
        key, prefix = ("ListenerArn", "DefaultActions") if ":listener/" in arn else \
            ("RuleArn", "Actions")
        p = prefix + ".member.1."
        status, xml = self.s.elbv2("ModifyListener" if key == "ListenerArn" else "ModifyRule",
                                   **{key: arn, p + "Type": "forward",
                                      p + "ForwardConfig.TargetGroups.member.1.TargetGroupArn":
                                          self.from_tg,
                                      p + "ForwardConfig.TargetGroups.member.1.Weight":
                                          str(from_w),
                                      p + "ForwardConfig.TargetGroups.member.2.TargetGroupArn":
                                          self.to_tg,
                                      p + "ForwardConfig.TargetGroups.member.2.Weight":
                                          str(to_w)})
        self.assertEqual(status, 200, xml)

    def calls(self):
        return self.s.control("log")["calls"]

    def modifies(self, since=None):
        """(weights, params) of each successful ModifyListener/ModifyRule since the setup."""
        since = self.base if since is None else since
        return [c for c in self.calls()[since:]
                if c["action"] in ("ModifyListener", "ModifyRule") and c["status"] == 200]

    def shares(self, since=None):
        return [share(c["weights"], self.from_tg, self.to_tg) for c in self.modifies(since)]

    def mark(self):
        return len(self.calls())

    # -- terraform helpers ------------------------------------------------------------------
    def write(self, percent=100, soak=0, timeout=20, on_failure="rollback_step",
              on_destroy="keep", alarms=(), schedule=None, rule=None, extra=""):
        body = SHIFT % {
            "subject": "listener_rule_arn" if rule else "listener_arn",
            "subject_arn": rule or self.listener, "from_tg": self.from_tg, "to_tg": self.to_tg,
            "percent": percent, "soak": soak, "timeout": timeout, "on_failure": on_failure,
            "on_destroy": on_destroy, "alarms": ", ".join('"%s"' % a for a in alarms),
            "schedule": "schedule = [%s]" % ", ".join(map(str, schedule))
            if schedule is not None else ""}
        self.ws.main_tf(body + extra, provider=self.provider())

    def provider(self):
        return PROVIDER % {"endpoint": self.s.endpoint, "secret": SECRET}

    def values(self):
        return self.ws.state_values("bluegreen_weighted_shift.w")


class Walk(WeightedCase):
    def test_walk_sends_exactly_the_schedule_shares(self):
        r = self.ws.ok("plan", "-no-color")
        for pct in (10, 25, 50, 75, 100):
            self.assertIn("percent = %d" % pct, r.out)
        self.assertEqual(self.modifies(), [], "a plan changes no weight")
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "TRACE"})
        mods = self.modifies()
        self.assertEqual([(m["weights"][self.from_tg], m["weights"][self.to_tg]) for m in mods],
                         [(90, 10), (75, 25), (50, 50), (25, 75), (0, 100)])
        # the plain forward became a ForwardConfig: no TargetGroupArn next to it
        self.assertNotIn("DefaultActions.member.1.TargetGroupArn", mods[0]["params"])
        self.assertEqual(set(mods[0]["weights"]), {self.from_tg, self.to_tg})
        v = self.values()
        self.assertEqual(v["current_percent"], 100)
        self.assertEqual([s["percent"] for s in v["steps"]], [10, 25, 50, 75, 100])
        self.assertEqual(v["id"], "%s,%s,%s" % (self.listener, self.from_tg, self.to_tg))
        lines = [l for l in r.err.splitlines() if "terraform-provider-bluegreen" in l]
        self.assertNotIn(SECRET, "\n".join(lines))
        steps = [l for l in lines if "[INFO]" in l and "step " in l and "->" in l]
        self.assertEqual(len(steps), 5, "\n".join(steps))
        self.assertIn("step 2/5: 10% -> 25%", steps[1])
        self.assertNotIn(SECRET, self.ws.read("terraform.tfstate"))
        self.ws.assert_no_changes()

    def test_partial_walk_then_up_then_back_down_the_same_entries(self):
        self.write(percent=50)
        self.ws.apply()
        self.assertEqual(self.shares(), [10, 25, 50])
        self.ws.assert_no_changes()
        self.write(percent=100)
        r = self.ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertNotRegex(r.out, r"percent = 25\n")
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.shares(mark), [75, 100])
        self.write(percent=20)
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.shares(mark), [75, 50, 25, 20])
        self.assertEqual(self.values()["current_percent"], 20)
        self.ws.assert_no_changes()

    def test_other_groups_stickiness_and_order_are_kept(self):
        p = "DefaultActions.member.1."
        status, xml = self.s.elbv2("ModifyListener", ListenerArn=self.listener, **{
            p + "Type": "forward", p + "Order": "5",
            p + "ForwardConfig.TargetGroups.member.1.TargetGroupArn": self.other_tg,
            p + "ForwardConfig.TargetGroups.member.1.Weight": "200",
            p + "ForwardConfig.TargetGroups.member.2.TargetGroupArn": self.from_tg,
            p + "ForwardConfig.TargetGroups.member.2.Weight": "300",
            p + "ForwardConfig.TargetGroupStickinessConfig.Enabled": "true",
            p + "ForwardConfig.TargetGroupStickinessConfig.DurationSeconds": "600"})
        self.assertEqual(status, 200, xml)
        self.base = self.mark()
        self.write(percent=50)
        self.ws.apply()
        mods = self.modifies()
        self.assertEqual(self.shares(), [10, 25, 50])
        for m in mods:
            self.assertEqual(m["weights"][self.other_tg], 200, "the other group keeps its weight")
            self.assertEqual(m["weights"][self.from_tg] + m["weights"][self.to_tg], 300,
                             "the pair keeps its total, so the other group keeps its share")
            self.assertEqual(m["params"][p + "Order"], "5")
            self.assertEqual(m["params"][p + "ForwardConfig.TargetGroupStickinessConfig.Enabled"],
                             "true")
            self.assertEqual(m["params"][p + "ForwardConfig.TargetGroupStickinessConfig."
                                             "DurationSeconds"], "600")
            self.assertEqual(
                m["params"][p + "ForwardConfig.TargetGroups.member.1.TargetGroupArn"],
                self.other_tg, "the groups keep their order")


class Drift(WeightedCase):
    def test_weights_changed_by_hand_both_ways_show_and_the_walk_starts_from_them(self):
        self.write(percent=50)
        self.ws.apply()
        self.set_weights(80, 20)  # by hand: down to 20
        r = self.ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn("changed outside Terraform", r.text)
        self.assertIn("gives to_target_group_arn 20% of the pair's weights; the last apply left "
                      "50%", flat(r.text))
        self.assertRegex(r.out, r"current_percent\s+= 20 -> \(known after apply\)")
        self.assertRegex(r.out, r"percent = 25\n")
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.shares(mark), [25, 50])
        self.set_weights(20, 80)  # by hand: up to 80
        r = self.ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn("changed outside Terraform", r.text)
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.shares(mark), [75, 50], "back down the same entries")
        self.ws.assert_no_changes()

    def test_a_change_between_plan_and_apply_is_refused(self):
        self.ws.ok("plan", "-no-color", "-out=tfplan")
        self.set_weights(70, 30)
        mark = self.mark()
        r = self.ws.fails("apply", "-no-color", "tfplan")
        # terraform re-plans at apply and refuses the changed steps itself (its message calls
        # it a provider bug); the provider's own check says the same if terraform did not
        self.assertRegex(flat(r.text), r"Weights changed since the plan|"
                                       r"invalid new value for \.steps\[0\]\.percent")
        self.assertEqual(self.shares(mark), [], "nothing changed")


class Rule(WeightedCase):
    def create_rule(self):
        p = "Actions.member."
        status, xml = self.s.elbv2("CreateRule", ListenerArn=self.listener, Priority="7", **{
            "Conditions.member.1.Field": "path-pattern",
            "Conditions.member.1.PathPatternConfig.Values.member.1": "/api/*",
            p + "1.Type": "authenticate-oidc", p + "1.Order": "1",
            p + "1.AuthenticateOidcConfig.Issuer": "https://idp.example",
            p + "1.AuthenticateOidcConfig.ClientId": "client",
            p + "1.AuthenticateOidcConfig.ClientSecret": "oidc-secret",
            p + "1.AuthenticateOidcConfig.AuthorizationEndpoint": "https://idp.example/a",
            p + "1.AuthenticateOidcConfig.TokenEndpoint": "https://idp.example/t",
            p + "1.AuthenticateOidcConfig.UserInfoEndpoint": "https://idp.example/u",
            p + "1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key": "k",
            p + "1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value": "v",
            p + "2.Type": "forward", p + "2.Order": "2", p + "2.TargetGroupArn": self.from_tg})
        self.assertEqual(status, 200, xml)
        return re.search(r"<RuleArn>(.*?)</RuleArn>", xml).group(1)

    def test_a_rule_walks_with_its_conditions_and_other_actions_kept(self):
        rule = self.create_rule()
        _, before = self.s.elbv2("DescribeRules", **{"RuleArns.member.1": rule})
        self.base = self.mark()
        self.write(percent=50, rule=rule)
        self.ws.apply()
        mods = self.modifies()
        self.assertEqual([m["action"] for m in mods], ["ModifyRule"] * 3)
        self.assertEqual(self.shares(), [10, 25, 50])
        params = mods[0]["params"]
        self.assertEqual(params["RuleArn"], rule)
        self.assertNotIn("Conditions.member.1.Field", params, "conditions are left alone")
        self.assertEqual(params["Actions.member.1.AuthenticateOidcConfig."
                                "AuthenticationRequestExtraParams.entry.1.value"], "v")
        self.assertEqual(params["Actions.member.1.AuthenticateOidcConfig."
                                "UseExistingClientSecret"], "true")
        _, after = self.s.elbv2("DescribeRules", **{"RuleArns.member.1": rule})
        for kept in ("<Priority>7</Priority>", "<Values><member>/api/*</member></Values>",
                     "<Issuer>https://idp.example</Issuer>"):
            self.assertIn(kept, before)
            self.assertIn(kept, after)
        _, listener = self.s.elbv2("DescribeListeners", **{"ListenerArns.member.1":
                                                            self.listener})
        self.assertNotIn(self.to_tg, listener, "the listener's default action is not touched")
        self.ws.assert_no_changes()


class Gates(WeightedCase):
    def alarm_mid_walk(self, on_failure):
        """Walk 25, 50, 100 with a 2 s soak; the alarm fires during the soak at 50%."""
        self.s.alarm("five-xx", "OK")
        self.write(soak=2, alarms=["five-xx"], on_failure=on_failure, schedule=[25, 50])
        done = threading.Event()

        def fire():
            while not done.is_set():
                if 50 in self.shares():
                    self.s.set_alarm("five-xx", "ALARM")
                    return
                time.sleep(0.1)

        t = threading.Thread(target=fire)
        t.start()
        try:
            r = self.ws.fails("apply", "-auto-approve", "-no-color")
        finally:
            done.set()
            t.join()
        self.assertIn("Alarm gate failed", r.text)
        self.assertIn("five-xx", r.text)
        self.assertIn("during the soak at 50%", flat(r.text))
        return r

    def test_rollback_step_puts_the_weights_back_one_step(self):
        self.alarm_mid_walk("rollback_step")
        self.assertEqual(self.shares(), [25, 50, 25])

    def test_rollback_all_puts_the_weights_back_where_the_apply_began(self):
        self.alarm_mid_walk("rollback_all")
        self.assertEqual(self.shares(), [25, 50, 0])

    def test_halt_leaves_the_weights(self):
        self.alarm_mid_walk("halt")
        self.assertEqual(self.shares(), [25, 50])

    def test_an_alarm_already_firing_blocks_the_first_step(self):
        self.s.alarm("latency", "ALARM")
        self.write(alarms=["latency"])
        r = self.ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("before the step to 10%", flat(r.text))
        self.assertEqual(self.shares(), [])

    def test_an_unknown_alarm_name_fails_the_plan(self):
        self.write(alarms=["no-such-alarm"])
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("CloudWatch alarm not found", r.text)
        self.assertIn("no-such-alarm", r.text)

    def test_an_unhealthy_to_group_never_gets_weight(self):
        for t in NEW:
            self.s.control("health", {"target": t, "state": "unhealthy"})
        self.write(timeout=2)
        r = self.ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("Health gate failed", r.text)
        self.assertIn("unhealthy", r.text)
        self.assertEqual(self.modifies(), [], "no weight, not even for a moment")

    def test_an_empty_to_group_never_gets_weight(self):
        self.targets("DeregisterTargets", self.to_tg, NEW)
        time.sleep(0.7)  # draining ends
        self.write(timeout=2)
        r = self.ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("no registered target", flat(r.text))
        self.assertEqual(self.modifies(), [])

    def test_a_target_turning_unhealthy_in_the_soak_fails_the_step(self):
        self.write(soak=3, on_failure="rollback_step")
        done = threading.Event()

        def sicken():
            while not done.is_set():
                if 25 in self.shares():
                    self.s.control("health", {"target": NEW[1], "state": "unhealthy"})
                    return
                time.sleep(0.1)

        t = threading.Thread(target=sicken)
        t.start()
        try:
            r = self.ws.fails("apply", "-auto-approve", "-no-color")
        finally:
            done.set()
            t.join()
        self.assertIn("during the soak at 25%", flat(r.text))
        self.assertEqual(self.shares(), [10, 25, 10])


class Lifecycle(WeightedCase):
    def test_import_by_listener_and_both_groups(self):
        self.ws.apply()
        os.unlink(self.ws.path("terraform.tfstate"))
        import_id = "%s,%s,%s" % (self.listener, self.from_tg, self.to_tg)
        self.ws.ok("import", "-no-color", "bluegreen_weighted_shift.w", import_id)
        v = self.values()
        self.assertEqual(v["listener_arn"], self.listener)
        self.assertEqual(v["current_percent"], 100)
        mark = self.mark()
        self.ws.apply()
        self.assertEqual(self.shares(mark), [], "nothing left to walk")
        self.ws.assert_no_changes()

    def test_import_rejects_a_malformed_id(self):
        r = self.ws.fails("import", "-no-color", "bluegreen_weighted_shift.w", self.listener)
        self.assertIn("Invalid import ID", r.text)

    def test_destroy_restore_walks_back_to_zero(self):
        self.write(on_destroy="restore")
        self.ws.apply()
        mark = self.mark()
        self.ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(self.shares(mark), [75, 50, 25, 10, 0])

    def test_destroy_keep_leaves_the_weights(self):
        self.write(percent=50)
        self.ws.apply()
        mark = self.mark()
        self.ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(self.shares(mark), [])


class Interrupt(WeightedCase):
    def start_apply(self):
        return subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-no-color"],
                                cwd=self.ws.root, env=dict(self.ws.env), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def wait_shares(self, n, proc):
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if len(self.shares()) >= n:
                return
            time.sleep(0.05)
        self.fail("walk did not reach %d steps" % n)

    def test_sigkill_mid_walk_then_apply_resumes_from_the_weights(self):
        self.write(soak=2)
        proc = self.start_apply()
        self.wait_shares(2, proc)
        os.kill(provider_pid(self, proc.pid), signal.SIGKILL)
        proc.communicate(timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(self.shares(), [10, 25])
        r = self.ws.ok("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "INFO"})
        self.assertIn("watching 25% before the next step", r.err)
        self.assertEqual(self.shares(), [10, 25, 50, 75, 100], "each share set once")
        self.ws.assert_no_changes()

    def test_sigint_pauses_then_apply_finishes(self):
        self.write(soak=2)
        proc = self.start_apply()
        self.wait_shares(2, proc)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        self.assertIn("Weighted shift paused", out)
        partial = self.shares()
        self.assertTrue(2 <= len(partial) < 5, partial)
        self.ws.apply()
        self.assertEqual(self.shares(), [10, 25, 50, 75, 100])
        self.ws.assert_no_changes()


class BadInput(WeightedCase):
    def test_both_or_neither_subject(self):
        self.write(extra="")
        body = self.ws.read("main.tf").replace(
            'listener_arn = "%s"' % self.listener,
            'listener_arn = "%s"\n  listener_rule_arn = "%s/0123456789abcdef"' %
            (self.listener, self.listener.replace(":listener/", ":listener-rule/")))
        self.ws.write("main.tf", body)
        r = self.ws.fails("validate", "-no-color")
        self.assertIn("Exactly one of listener_arn and listener_rule_arn", r.text)

    def test_schedule_must_increase(self):
        self.write(schedule=[10, 50, 25])
        r = self.ws.fails("validate", "-no-color")
        self.assertIn("Invalid schedule", r.text)
        self.assertIn("schedule[2] = 25", r.text)

    def test_a_teardown_guard_watching_nothing_is_refused(self):
        self.ws.write("clusters/aws-prod-spoon.tf", 'module "eks_spoon" { source = "./m" }\n')
        self.ws.main_tf('resource "bluegreen_cluster_pair" "p" {\n  directory = "clusters"\n'
                        '  name = "aws-prod"\n  live = "spoon"\n  teardown_guard {\n'
                        '    target_group_arn = "%s"\n  }\n}\n' % self.from_tg,
                        provider=self.provider())
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("teardown_guard watches nothing", r.text)

    def test_a_listener_without_either_group_is_named(self):
        self.from_tg = self.other_tg
        self.write()
        r = self.ws.fails("plan", "-no-color")
        self.assertIn("No forward action to shift", r.text)


EXAMPLE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                       "examples", "terraform", "weighted-upgrade"))


class Example(WeightedCase):
    """examples/terraform/weighted-upgrade, phase by phase, as the README's reader runs it."""

    def flags(self, extra):
        v = dict(extra)
        v.setdefault("aws_endpoint", self.s.endpoint)
        v.setdefault("listener_arn", self.listener)
        v.setdefault("spoon_target_group_arn", self.from_tg)
        v.setdefault("knife_target_group_arn", self.to_tg)
        v.setdefault("alarm_name", "knife-5xx")
        return ["-var=%s=%s" % (k, str(x).lower() if isinstance(x, bool) else x)
                for k, x in v.items()]

    def tf(self, *args, **kw):
        flags = self.flags(kw.pop("vars", {}))
        return self.ws.ok(*(list(args) + ["-no-color", "-input=false"] + flags), **kw)

    def test_the_example_walks_every_phase(self):
        for name in os.listdir(EXAMPLE):
            with open(os.path.join(EXAMPLE, name)) as f:
                self.ws.write(name, f.read())
        self.s.alarm("knife-5xx", "OK")
        self.tf("apply", "-auto-approve")
        self.assertTrue(self.ws.exists("aws-prod-knife.tf"), "the knife cluster's files")
        self.assertEqual(self.shares(), [], "percent = 0: no weight moves yet")
        r = self.tf("plan", vars={"percent": 50})
        for pct in (10, 25, 50):
            self.assertIn("percent = %d" % pct, r.out)
        self.tf("apply", "-auto-approve", vars={"percent": 50})
        self.assertEqual(self.shares(), [10, 25, 50])
        self.tf("apply", "-auto-approve", vars={"percent": 100})
        self.assertEqual(self.shares(), [10, 25, 50, 75, 100])
        self.tf("apply", "-auto-approve", vars={"percent": 50, "live": "knife"})
        r = self.ws.tf("plan", "-no-color", "-input=false", *self.flags(
            {"percent": 50, "live": "knife", "standby": False}))
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("Teardown refused: the old cluster still has weight", r.text)
        self.assertTrue(self.ws.exists("aws-prod-spoon.tf"))
        self.tf("apply", "-auto-approve", vars={"percent": 100, "live": "knife"})
        r = self.ws.tf("plan", "-no-color", "-input=false", *self.flags(
            {"percent": 100, "live": "knife", "standby": False}))
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("Teardown refused: the old cluster still has healthy targets", r.text)
        self.assertNotIn("still has weight", r.text, "no weight left at 100%")
        self.targets("DeregisterTargets", self.from_tg, OLD)  # the old ingress scaled to zero
        time.sleep(0.7)  # draining ends
        self.tf("apply", "-auto-approve", vars={"percent": 100, "live": "knife",
                                                "standby": False})
        self.assertFalse(self.ws.exists("aws-prod-spoon.tf"), "the old cluster is torn down")
        final = {"percent": 100, "live": "knife", "standby": False}
        r = self.tf("apply", "-auto-approve", vars=final)
        self.assertIn("terraform_data.eks_spoon: Destruction complete", r.out)
        r = self.tf("plan", "-detailed-exitcode", vars=final)
        self.assertIn("No changes", r.out)


if __name__ == "__main__":
    unittest.main()
