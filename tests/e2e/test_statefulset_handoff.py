"""bluegreen_statefulset_handoff end to end: real terraform, the provider under test, the
Kubernetes stand-in (two HTTPS API servers sharing one world, with an Elasticsearch model
behind the service proxy) and moto for the Auto Scaling group, all on 127.0.0.1.

The order of the hand-off is read from the stand-ins' own request logs (Kubernetes PATCHes,
Elasticsearch settings and flush through the proxy, Auto Scaling UpdateAutoScalingGroup),
merged by time: what the servers saw, not what the provider says it did.
"""
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

from support.tfharness import Workspace, provider_pid, require_terraform, TERRAFORM

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402
from k8s_standin import K8sStandIn  # noqa: E402

K8S = None
AWS = None
TMP = None
NS = "elasticsearch"
STS = [("elastic-master", 3), ("elastic-data", 3), ("elastic-coordinating", 2)]
PAUSE = ("logstash", "logstash-kubernetes", 2)
SECRET = "standin-secret-never-logged"


def setUpModule():
    global K8S, AWS, TMP
    if not TERRAFORM:
        return
    TMP = tempfile.mkdtemp(prefix="bg-k8s-standin-")
    K8S = K8sStandIn(TMP, os.environ.get("BG_STANDIN_LOG", os.devnull))
    K8S.start()
    AWS = StandInProcess(os.environ.get("BG_STANDIN_LOG", os.devnull))
    AWS.start()


def tearDownModule():
    for s in (K8S, AWS):
        if s is not None:
            s.stop()


def hcl(s):
    return json.dumps(s)


def flat(text):
    """terraform wraps diagnostics at 78 columns: compare with the whitespace folded."""
    return " ".join(text.split())


class HandoffCase(unittest.TestCase):
    """The documented Elasticsearch case, small: running in from_cluster, deployed with 0
    replicas in to_cluster; an Auto Scaling group of 3 for the old node group."""

    def setUp(self):
        require_terraform(self)
        self.k = K8S
        self.aws = AWS
        self.k.control("reset", {"tick": 0.05})
        for cluster in ("from", "to"):
            for name, n in STS:
                self.k.control("statefulset", {"cluster": cluster, "namespace": NS, "name": name,
                                               "replicas": n if cluster == "from" else 0})
            self.k.control("statefulset", {"cluster": cluster, "namespace": PAUSE[0],
                                           "name": PAUSE[1], "volumes": False,
                                           "replicas": PAUSE[2] if cluster == "from" else 0})
            self.k.control("service", {"cluster": cluster, "namespace": NS,
                                       "name": "elastic-master", "port": 9200,
                                       "statefulset": "elastic-master"})
        self.k.control("es", {"namespace": NS, "masters": "elastic-master",
                              "data": "elastic-data",
                              "statefulsets": [n for n, _ in STS], "data_nodes": 3,
                              "master_nodes": 3, "recovery_ticks": 2})
        self.aws.control("reset", {})
        self.asg = "aws-tools-spoon-elastic-%d" % (time.time_ns() % 10**9)
        st, xml = self.aws.ec2("CreateLaunchTemplate", LaunchTemplateName=self.asg, **{
            "LaunchTemplateData.ImageId": "ami-12c6146b",
            "LaunchTemplateData.InstanceType": "r5.large"})
        self.assertEqual(st, 200, xml)
        st, xml = self.aws.autoscaling("CreateAutoScalingGroup", AutoScalingGroupName=self.asg,
                                       MinSize="3", MaxSize="6", DesiredCapacity="3", **{
                                           "LaunchTemplate.LaunchTemplateName": self.asg,
                                           "AvailabilityZones.member.1": "us-east-1a"})
        self.assertEqual(st, 200, xml)
        self.ws = Workspace(self, "handoff")
        self.ws.env["HOME"] = self.ws.root
        for k in list(self.ws.env):
            if k.startswith("AWS_"):
                del self.ws.env[k]
        self.ws.env.update({"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                            "AWS_SECRET_ACCESS_KEY": SECRET,
                            "AWS_ENDPOINT_URL": self.aws.endpoint})
        self.write()

    # -- configuration -------------------------------------------------------------------
    def cluster(self, which, token=None):
        return "{ host = %s, token = %s, cluster_ca_certificate = %s }" % (
            hcl(self.k.host[which]), hcl(token or "token-" + which), hcl(self.k.ca))

    def write(self, from_cluster=None, to_cluster=None, sts=None, es=True, node_group=True,
              pause=True, timeout=30, extra=""):
        sts = sts if sts is not None else STS
        body = ['resource "bluegreen_statefulset_handoff" "logging" {',
                "  from_cluster = %s" % (from_cluster or self.cluster("from")),
                "  to_cluster   = %s" % (to_cluster or self.cluster("to")),
                "  namespace    = %s" % hcl(NS),
                "  statefulsets = [%s]" % ", ".join(
                    "{ name = %s, replicas = %d }" % (hcl(n), r) for n, r in sts)]
        if pause:
            body.append("  pause = [{ namespace = %s, name = %s, replicas = %d }]" % (
                hcl(PAUSE[0]), hcl(PAUSE[1]), PAUSE[2]))
        if es:
            body.append('  elasticsearch = { service = "%s/elastic-master:9200" }' % NS)
        if node_group:
            body.append("  node_group = { autoscaling_group_name = %s }" % hcl(self.asg))
        body += ["  health_timeout_seconds = %d" % timeout, "  poll_interval_seconds  = 1",
                 extra, "}"]
        self.ws.main_tf("\n".join(body) + "\n")

    # -- observations --------------------------------------------------------------------
    def planned_steps(self):
        """(exit code, the planned `steps` as [action cluster target]) from the plan JSON."""
        r = self.ws.tf("plan", "-detailed-exitcode", "-no-color", "-out=plan.bin")
        self.assertIn(r.code, (0, 2), r)
        doc = json.loads(self.ws.ok("show", "-json", "plan.bin").out)
        after = doc["resource_changes"][0]["change"]["after"]
        return r, ["%s %s %s" % (x["action"], x["cluster"], x["target"]) for x in after["steps"]]

    def world(self):
        return self.k.control("world")

    def replicas(self, cluster, name, ns=NS):
        return self.world()["statefulsets"]["%s/%s/%s" % (cluster, ns, name)]

    def asg_sizes(self):
        st, xml = self.aws.autoscaling("DescribeAutoScalingGroups",
                                       **{"AutoScalingGroupNames.member.1": self.asg})
        import re
        return (int(re.search(r"<DesiredCapacity>(\d+)<", xml).group(1)),
                int(re.search(r"<MinSize>(\d+)<", xml).group(1)))

    def actions(self):
        """The hand-off as the servers saw it: one line per mutating call, in time order."""
        out = []
        for c in self.k.control("log")["calls"]:
            if c["status"] >= 300 or c["method"] == "GET":
                continue
            if c["path"].endswith("/scale"):
                name = c["path"].split("/")[-2]
                n = json.loads(c["body"])["spec"]["replicas"]
                out.append((c["t"], "scale %s %s %d" % (c["cluster"], name, n)))
            elif c["path"].endswith("/proxy/_cluster/settings"):
                v = json.loads(c["body"])["persistent"]["cluster.routing.allocation.enable"]
                out.append((c["t"], "allocation %s %s" % (c["cluster"], v)))
            elif c["path"].endswith("/proxy/_flush"):
                out.append((c["t"], "flush %s" % c["cluster"]))
        for c in self.aws.control("log")["calls"]:
            if c["action"] == "UpdateAutoScalingGroup" and c["status"] == 200:
                p = c["params"]
                out.append((c["t"], "asg %s desired=%s min=%s" % (
                    p["AutoScalingGroupName"] == self.asg and "old" or "?",
                    p.get("DesiredCapacity"), p.get("MinSize"))))
        return [a for _, a in sorted(out)]


FULL = [
    "scale from logstash-kubernetes 0",
    "allocation from primaries",
    "flush from",
    "scale from elastic-coordinating 0",
    "scale from elastic-data 0",
    "scale from elastic-master 0",
    "asg old desired=0 min=0",
    "scale to elastic-master 3",
    "scale to elastic-data 3",
    "scale to elastic-coordinating 2",
    "allocation to None",
    "scale to logstash-kubernetes 2",
]


class Handoff(HandoffCase):
    def test_plan_previews_every_step_then_apply_takes_them_in_order(self):
        r = self.ws.ok("plan", "-no-color")
        text = r.out
        order = ["scale_down", "disable_allocation", "flush", "scale_node_group", "scale_up",
                 "wait_joined", "enable_allocation", "wait_green"]
        pos = [text.find('action  = "%s"' % a) for a in order]
        self.assertTrue(all(p >= 0 for p in pos), text)
        self.assertEqual(pos, sorted(pos), text)
        self.assertIn('target  = "elasticsearch/elastic-coordinating"', text)
        self.assertEqual(self.actions(), [])  # a plan changes nothing
        self.ws.apply()
        self.assertEqual(self.actions(), FULL)
        w = self.world()
        for name, n in STS:
            self.assertEqual(w["statefulsets"]["to/%s/%s" % (NS, name)]["ready"], n)
            self.assertEqual(w["statefulsets"]["from/%s/%s" % (NS, name)]["pods"], 0)
        self.assertEqual(w["es"]["health"]["status"], "green")
        self.assertEqual(w["es"]["persistent"], {})
        self.assertEqual(w["es"]["flushes"], 1)
        self.assertEqual(w["es"]["reallocations"], 0)  # nothing rebalanced during the move
        self.assertEqual(self.asg_sizes(), (0, 0))
        self.ws.assert_no_changes()

    def test_no_pod_of_a_statefulset_runs_in_both_clusters_at_once(self):
        self.ws.apply()
        # the EBS rule of the stand-in: any pod blocked by its twin would have been logged
        # as a scale-up before the old one was gone; the server log orders them
        acts = self.actions()
        for name, _ in STS:
            self.assertLess(acts.index("scale from %s 0" % name),
                            acts.index("scale to %s %d" % (name, dict(STS)[name])))
        self.assertLess(acts.index("scale from elastic-master 0"),
                        acts.index("asg old desired=0 min=0"))


def flush_tolerant(acts):
    """The actions with a repeated flush dropped: a flush cannot be observed, so a stop right
    after it (before the first scale-down) flushes again on resume, which is harmless."""
    out = []
    for a in acts:
        if a == "flush from" and a in out:
            continue
        out.append(a)
    return out


class Interrupt(HandoffCase):
    """SIGINT (terraform's StopProvider) and SIGKILL of the provider at several points; the
    next apply finishes from what the clusters show, redoing nothing."""

    POINTS = {
        "after disabling allocation": 2,
        "in the middle of the old cluster's scale-down": 5,
        "while the new cluster starts": 8,
        "after allocation came back": 11,
    }

    def setUp(self):
        super().setUp()
        # slow enough to be interrupted where we want: new pods need 6 ticks to be ready
        self.k.control("fault", {"ready_ticks": {
            "to/%s/%s" % (NS, n): 6 for n, _ in STS}})

    def start_apply(self):
        return subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-no-color"],
                                cwd=self.ws.root, env=self.ws.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def wait_actions(self, n, proc):
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if len(self.actions()) >= n:
                return
            time.sleep(0.02)
        self.fail("the hand-off did not reach %d actions: %s" % (n, self.actions()))

    def finish_and_check(self):
        self.ws.apply()
        self.assertEqual(flush_tolerant(self.actions()), FULL)
        self.assertEqual(self.world()["es"]["health"]["status"], "green")
        self.ws.assert_no_changes()

    def test_sigint_at_several_points_then_apply_finishes_without_redoing_a_step(self):
        for where in ("after disabling allocation", "while the new cluster starts",
                      "after allocation came back"):
            n = self.POINTS[where]
            with self.subTest(where=where):
                if n != 2:
                    self.setUp()
                proc = self.start_apply()
                self.wait_actions(n, proc)
                started = time.time()
                proc.send_signal(signal.SIGINT)
                out, _ = proc.communicate(timeout=60)
                self.assertLess(time.time() - started, 15, out)  # StopProvider is prompt
                self.assertLess(len(self.actions()), len(FULL), out)
                self.finish_and_check()

    def test_sigkill_of_the_provider_at_several_points_then_apply_finishes(self):
        for i, where in enumerate(("in the middle of the old cluster's scale-down",
                                   "while the new cluster starts")):
            n = self.POINTS[where]
            with self.subTest(where=where):
                if i > 0:
                    self.setUp()
                proc = self.start_apply()
                self.wait_actions(n, proc)
                os.kill(provider_pid(self, proc.pid), signal.SIGKILL)
                proc.communicate(timeout=60)
                self.assertNotEqual(proc.returncode, 0)
                self.assertLess(len(self.actions()), len(FULL))
                self.finish_and_check()


class Failures(HandoffCase):
    def test_health_timeout_names_the_step_and_what_was_seen_then_apply_continues(self):
        self.k.control("es_fault", {"stuck_replicas": 1})
        self.write(timeout=3)
        text = flat(self.ws.fails("apply", "-auto-approve", "-no-color").text)
        self.assertIn("Elasticsearch did not turn green", text)
        self.assertIn("elasticsearch.service: Step wait_green in to_cluster", text)
        self.assertIn("status yellow", text)
        self.assertIn("after 3 s (health_timeout_seconds)", text)
        self.assertIn("continues from this step", text)
        self.assertEqual(self.replicas("to", PAUSE[1], PAUSE[0])["replicas"], 0)
        r, steps = self.planned_steps()
        self.assertEqual(r.code, 2, r)
        self.assertEqual(steps, [
            "wait_green to_cluster elasticsearch/elastic-master:9200",
            "scale_up to_cluster logstash/logstash-kubernetes"])
        self.k.control("es_fault", {"stuck_replicas": 0})
        self.ws.apply()
        self.assertEqual(self.actions(), FULL)
        self.ws.assert_no_changes()

    def test_unknown_statefulset_is_named_at_plan_time(self):
        self.write(sts=[("elastic-master", 3), ("elastic-dta", 3)])
        r = self.ws.fails("plan", "-no-color")
        text = flat(r.text)
        self.assertIn("Statefulset not found", text)
        self.assertIn("statefulsets[1]: elasticsearch/elastic-dta does not exist in from_cluster",
                      text)
        self.assertIn("statefulsets = [", r.text)  # terraform shows the attribute's line
        self.assertEqual(self.actions(), [])

    def test_wrong_token_is_named_with_the_api_servers_answer(self):
        self.write(to_cluster=self.cluster("to", token="not-the-token"))
        r = self.ws.fails("plan", "-no-color")
        text = flat(r.text)
        self.assertIn("Cannot read the cluster", text)
        self.assertIn("to_cluster: Reading elasticsearch/elastic-master in to_cluster: "
                      "Unauthorized (HTTP 401 Unauthorized)", text)
        self.assertIn("to_cluster   = {", r.text)
        self.assertEqual(self.actions(), [])

    def test_unreachable_service_proxy_is_an_elasticsearch_service_error(self):
        self.k.control("fault", {"proxy_down": True})
        text = flat(self.ws.fails("plan", "-no-color").text)
        self.assertIn("Elasticsearch is not reachable", text)
        self.assertIn("connection refused", text)
        self.assertIn("elasticsearch.service: Elasticsearch statefulsets have ready pods in "
                      "from_cluster", text)
        self.assertEqual(self.actions(), [])

    def test_elasticsearch_credentials_are_refused_with_the_reason(self):
        self.write(extra="")
        main = self.ws.read("main.tf").replace(
            'elasticsearch = { service = "elasticsearch/elastic-master:9200" }',
            'elasticsearch = { service = "elasticsearch/elastic-master:9200", '
            'username = "elastic", password = "s3cret" }')
        self.ws.write("main.tf", main)
        r = self.ws.fails("plan", "-no-color")
        text = flat(r.text)
        self.assertIn("Elasticsearch credentials cannot pass the service proxy", text)
        self.assertIn("elasticsearch.password: Elasticsearch is reached through", text)
        self.assertIn("removes that header", text)
        # only terraform's quote of the configuration line shows it, never our message
        for line in r.text.splitlines():
            if "s3cret" in line:
                self.assertIn("elasticsearch = {", line)

    def test_a_half_configured_client_certificate_is_named(self):
        self.write(from_cluster="{ host = %s, client_certificate = %s, "
                                "cluster_ca_certificate = %s }" % (
                                    hcl(self.k.host["from"]), hcl(self.k.client_cert),
                                    hcl(self.k.ca)))
        text = flat(self.ws.fails("plan", "-no-color").text)
        self.assertIn("from_cluster: client_certificate and client_key go together", text)


class Auth(HandoffCase):
    def kubeconfig(self):
        cfg = {
            "apiVersion": "v1", "kind": "Config", "current-context": "old",
            "clusters": [
                {"name": "spoon", "cluster": {"server": self.k.host["from"],
                                              "certificate-authority": self.k.ca_path}},
                {"name": "knife", "cluster": {"server": self.k.host["to"],
                                              "certificate-authority": self.k.ca_path}}],
            "users": [
                {"name": "ci", "user": {"token": "token-from"}},
                {"name": "admin", "user": {
                    "client-certificate": os.path.join(TMP, "client.pem"),
                    "client-key": os.path.join(TMP, "client-key.pem")}}],
            "contexts": [
                {"name": "old", "context": {"cluster": "spoon", "user": "ci"}},
                {"name": "new", "context": {"cluster": "knife", "user": "admin"}}],
        }
        # JSON is YAML: the file goes through the same YAML parser
        return self.ws.write(".kube/config", json.dumps(cfg, indent=2))

    def test_kubeconfig_contexts_with_a_token_and_a_client_certificate(self):
        self.kubeconfig()
        self.k.control("tokens", {"cluster": "to", "tokens": []})  # only the certificate works
        self.write(from_cluster='{ config_path = "~/.kube/config" }',
                   to_cluster='{ config_path = "~/.kube/config", config_context = "new" }')
        self.ws.apply()
        self.assertEqual(self.actions(), FULL)
        users = {c["user"] for c in self.k.control("log")["calls"] if c["cluster"] == "to"}
        self.assertEqual(users, {"cert:handoff-admin"})

    def test_a_missing_context_is_named(self):
        self.kubeconfig()
        self.write(to_cluster='{ config_path = "~/.kube/config", config_context = "knive" }')
        text = flat(self.ws.fails("plan", "-no-color").text)
        self.assertIn('to_cluster.config_context: no context "knive" in ~/.kube/config', text)

    def test_exec_plugin_tokens_are_refreshed_before_they_expire(self):
        counter = self.ws.path("exec-runs")
        script = self.ws.write("get-token", """#!%s
import json, os, sys, time
with open(%r, "a") as f:
    f.write(os.environ.get("KUBERNETES_EXEC_INFO", "") + "\\n")
life = int(os.environ["TOKEN_LIFE"])
exp = int(time.time()) + life
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1",
                  "kind": "ExecCredential",
                  "status": {"token": "exec.%%d.%%s" %% (exp, sys.argv[1]),
                             "expirationTimestamp": time.strftime("%%Y-%%m-%%dT%%H:%%M:%%SZ",
                                                                  time.gmtime(exp))}}))
""" % (sys.executable, counter))
        os.chmod(script, 0o755)
        for c in ("from", "to"):
            self.k.control("tokens", {"cluster": c, "tokens": [], "exec": True})
        self.k.control("fault", {"ready_ticks": {"to/%s/%s" % (NS, n): 10 for n, _ in STS}})

        def cluster(which):
            return ('{ host = %s, cluster_ca_certificate = %s, exec = { api_version = '
                    '"client.authentication.k8s.io/v1beta1", command = %s, args = [%s], '
                    'env = { TOKEN_LIFE = "2" } } }' % (hcl(self.k.host[which]), hcl(self.k.ca),
                                                        hcl(script), hcl(which)))
        self.write(from_cluster=cluster("from"), to_cluster=cluster("to"))
        r = self.ws.ok("apply", "-auto-approve", "-no-color",
                       env={"TF_LOG_PROVIDER": "TRACE"})
        self.assertEqual(self.actions(), FULL)
        with open(counter) as f:
            runs = f.read().splitlines()
        # plan + apply each start with one run per cluster; a 2 s token cannot last the apply
        self.assertGreater(len(runs), 4, runs)
        self.assertIn('"interactive":false', runs[0])
        self.assertNotIn("exec.", r.err)  # the token never reaches the logs
        self.assertNotIn("401", [c["status"] for c in self.k.control("log")["calls"]
                                 if c["method"] != "GET"])


class Lifecycle(HandoffCase):
    def test_replicas_back_in_from_cluster_are_drift_then_repaired(self):
        self.ws.apply()
        self.k.control("scale", {"cluster": "from", "namespace": NS, "name": "elastic-data",
                                 "replicas": 2})
        time.sleep(0.5)
        r, steps = self.planned_steps()
        self.assertEqual(r.code, 2, r)
        self.assertIn("Replicas back in from_cluster", r.text)
        self.assertIn("elasticsearch/elastic-data (2) scaled up again in from_cluster",
                      flat(r.text))
        self.assertEqual(steps, ["scale_down from_cluster elasticsearch/elastic-data"])
        self.ws.apply()
        self.assertEqual(self.replicas("from", "elastic-data")["pods"], 0)
        self.assertEqual(self.replicas("to", "elastic-data")["ready"], 3)
        self.ws.assert_no_changes()

    def test_destroy_forgets_and_changes_nothing(self):
        self.ws.apply()
        before = len(self.actions())
        self.ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(len(self.actions()), before)
        self.assertEqual(self.replicas("to", "elastic-master")["ready"], 3)
        r = self.ws.ok("state", "list")
        self.assertEqual(r.out.strip(), "")

    def test_a_new_resource_over_a_handed_off_world_plans_no_step(self):
        self.ws.apply()
        self.ws.ok("state", "rm", "bluegreen_statefulset_handoff.logging")
        r = self.ws.ok("plan", "-no-color")
        self.assertIn("steps", r.out)
        self.assertRegex(r.out, r"\+ steps +\= \[\]")
        self.ws.apply()
        self.assertEqual(self.actions(), FULL)

    def test_an_eks_managed_node_group_goes_to_zero(self):
        name = "spoon-%d" % (time.time_ns() % 10**9)
        st, doc = self.aws.eks("POST", "/clusters", {
            "name": name, "roleArn": "arn:aws:iam::123456789012:role/eks",
            "resourcesVpcConfig": {"subnetIds": ["subnet-1"]}})
        self.assertEqual(st, 200, doc)
        st, doc = self.aws.eks("POST", "/clusters/%s/node-groups" % name, {
            "nodegroupName": "elastic", "nodeRole": "arn:aws:iam::123456789012:role/node",
            "subnets": ["subnet-1"], "scalingConfig": {"minSize": 2, "maxSize": 5,
                                                       "desiredSize": 3}})
        self.assertEqual(st, 200, doc)
        main = self.ws.read("main.tf").replace(
            "node_group = { autoscaling_group_name = %s }" % hcl(self.asg),
            'node_group = { eks = { cluster_name = %s, nodegroup_name = "elastic" } }' % hcl(name))
        self.ws.write("main.tf", main)
        self.ws.apply()
        st, doc = self.aws.eks("GET", "/clusters/%s/node-groups/elastic" % name)
        self.assertEqual(doc["nodegroup"]["scalingConfig"],
                         {"minSize": 0, "maxSize": 5, "desiredSize": 0})
        updates = [c for c in self.aws.control("log")["calls"]
                   if c["action"].endswith("/update-config")]
        self.assertEqual(len(updates), 1)
        self.assertEqual(self.asg_sizes(), (3, 3))  # the Auto Scaling group was not touched
        self.ws.assert_no_changes()

    def test_without_elasticsearch_only_scales(self):
        """Prometheus/Solr style: no elasticsearch block, no node group."""
        self.write(es=False, node_group=False, pause=False)
        self.ws.apply()
        self.assertEqual(self.actions(), [
            "scale from elastic-coordinating 0", "scale from elastic-data 0",
            "scale from elastic-master 0", "scale to elastic-master 3", "scale to elastic-data 3",
            "scale to elastic-coordinating 2"])
        self.assertEqual(self.world()["es"]["persistent"], {})
        self.ws.assert_no_changes()


class Example(HandoffCase):
    """examples/terraform/statefulset-handoff, as a user would run it."""

    def test_the_example_hands_the_logging_stack_over(self):
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                           "terraform", "statefulset-handoff", "main.tf")
        with open(src) as f:
            self.ws.write("main.tf", f.read())
        kubeconfig = {"apiVersion": "v1", "kind": "Config", "clusters": [
            {"name": "spoon", "cluster": {"server": self.k.host["from"],
                                          "certificate-authority": self.k.ca_path}}],
            "users": [{"name": "ci", "user": {"token": "token-from"}}],
            "contexts": [{"name": "aws-tools-spoon",
                          "context": {"cluster": "spoon", "user": "ci"}}]}
        self.ws.write(".kube/config", json.dumps(kubeconfig))
        self.ws.write("terraform.tfvars", "knife_endpoint = %s\nknife_ca_file = %s\n"
                      "knife_token = \"token-to\"\nold_node_group = %s\n" % (
                          hcl(self.k.host["to"]), hcl(self.k.ca_path), hcl(self.asg)))
        r = self.ws.apply()
        self.assertIn("scale_node_group aws %s" % self.asg, r.out)
        self.assertEqual(self.actions(), FULL)
        self.ws.assert_no_changes()


if __name__ == "__main__":
    unittest.main()
