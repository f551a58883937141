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

from support.tfharness import Workspace, require_terraform, TERRAFORM

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


if __name__ == "__main__":
    unittest.main()
