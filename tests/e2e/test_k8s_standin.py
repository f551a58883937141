"""The Kubernetes stand-in itself (support/k8s_standin.py), checked with a real client:
kubectl (BG_KUBECTL, else the one on PATH) for discovery, get, scale, client certificates and
the service proxy, and raw API calls for what kubectl does not show (Status objects, content
types, the EBS rule, the Elasticsearch model's transitions).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from k8s_standin import K8sStandIn  # noqa: E402

K = None
TMP = None
KUBECTL = os.environ.get("BG_KUBECTL") or shutil.which("kubectl")
NS = "elasticsearch"


def setUpModule():
    global K, TMP
    TMP = tempfile.mkdtemp(prefix="bg-k8s-standin-test-")
    K = K8sStandIn(TMP)
    K.start()


def tearDownModule():
    if K is not None:
        K.stop()
    shutil.rmtree(TMP, True)


class StandInCase(unittest.TestCase):
    def setUp(self):
        K.control("reset", {"tick": 0.05})
        for cluster, n in (("from", 3), ("to", 0)):
            K.control("statefulset", {"cluster": cluster, "namespace": NS,
                                      "name": "elastic-master", "replicas": n})
            K.control("statefulset", {"cluster": cluster, "namespace": NS,
                                      "name": "elastic-data", "replicas": n})
            K.control("service", {"cluster": cluster, "namespace": NS, "name": "elastic-master",
                                  "port": 9200, "statefulset": "elastic-master"})
        K.control("es", {"namespace": NS, "masters": "elastic-master", "data": "elastic-data",
                         "data_nodes": 3, "master_nodes": 3, "recovery_ticks": 2,
                         "reallocate_ticks": 4})

    def sts(self, cluster, name):
        return K.control("world")["statefulsets"]["%s/%s/%s" % (cluster, NS, name)]

    def wait(self, cond, what, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            time.sleep(0.02)
        self.fail("timed out waiting for " + what)


class Kubectl(StandInCase):
    def setUp(self):
        if not KUBECTL:
            if os.environ.get("CI") == "true":
                self.fail("kubectl is needed under CI=true (the image's kubectl, or BG_KUBECTL)")
            raise unittest.SkipTest("kubectl not found")
        super().setUp()
        self.kubeconfig = os.path.join(TMP, "kubeconfig")
        cfg = {"apiVersion": "v1", "kind": "Config", "current-context": "from",
               "clusters": [{"name": c, "cluster": {"server": K.host[c],
                                                    "certificate-authority": K.ca_path}}
                            for c in ("from", "to")],
               "users": [{"name": "tok", "user": {"token": "token-from"}},
                         {"name": "bad", "user": {"token": "wrong"}},
                         {"name": "cert", "user": {
                             "client-certificate": os.path.join(TMP, "client.pem"),
                             "client-key": os.path.join(TMP, "client-key.pem")}}],
               "contexts": [{"name": "from", "context": {"cluster": "from", "user": "tok",
                                                         "namespace": NS}},
                            {"name": "bad", "context": {"cluster": "from", "user": "bad",
                                                        "namespace": NS}},
                            {"name": "to", "context": {"cluster": "to", "user": "cert",
                                                       "namespace": NS}}]}
        with open(self.kubeconfig, "w") as f:
            json.dump(cfg, f)

    def kubectl(self, *args, ok=True):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, HOME=TMP)
        r = subprocess.run([KUBECTL] + list(args), env=env, capture_output=True, text=True,
                           timeout=60)
        if ok:
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def test_get_lists_statefulsets_and_pods_over_verified_tls(self):
        out = self.kubectl("get", "statefulsets", "-o", "name").stdout.split()
        self.assertEqual(out, ["statefulset.apps/elastic-data", "statefulset.apps/elastic-master"])
        pods = self.kubectl("get", "pods", "-l", "app=elastic-data", "-o", "name").stdout.split()
        self.assertEqual(pods, ["pod/elastic-data-%d" % i for i in range(3)])
        doc = json.loads(self.kubectl("get", "sts", "elastic-master", "-o", "json").stdout)
        self.assertEqual(doc["status"]["readyReplicas"], 3)
        self.assertEqual(doc["spec"]["selector"]["matchLabels"], {"app": "elastic-master"})

    def test_scale_patches_the_scale_subresource_and_pods_go_one_ordinal_at_a_time(self):
        self.kubectl("scale", "statefulset", "elastic-data", "--replicas=0")
        calls = [c for c in K.control("log")["calls"] if c["method"] in ("PATCH", "PUT")]
        self.assertTrue(calls[-1]["path"].endswith("/statefulsets/elastic-data/scale"), calls)
        seen = []
        self.wait(lambda: seen.append(self.sts("from", "elastic-data")["pods"]) or seen[-1] == 0,
                  "scale-down")
        steps = [n for i, n in enumerate(seen) if i == 0 or n != seen[i - 1]]
        self.assertEqual(steps, sorted(steps, reverse=True))
        self.assertTrue(all(a - b == 1 for a, b in zip(steps, steps[1:])), steps)

    def test_client_certificate_context_and_wrong_token(self):
        out = self.kubectl("--context", "to", "get", "sts", "-o", "name").stdout.split()
        self.assertIn("statefulset.apps/elastic-master", out)
        users = {c["user"] for c in K.control("log")["calls"] if c["cluster"] == "to"}
        self.assertEqual(users, {"cert:handoff-admin"})
        r = self.kubectl("--context", "bad", "get", "sts", ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, "Unauthorized|must be logged in to the server")

    def test_service_proxy_reaches_elasticsearch(self):
        path = "/api/v1/namespaces/%s/services/elastic-master:9200/proxy/_cluster/health" % NS
        doc = json.loads(self.kubectl("get", "--raw", path).stdout)
        self.assertEqual(doc["status"], "green")
        self.assertEqual(doc["number_of_nodes"], 6)
        rows = json.loads(self.kubectl("get", "--raw", path.replace(
            "_cluster/health", "_cat/allocation?format=json")).stdout)
        self.assertEqual(sorted(r["node"] for r in rows), ["elastic-data-%d" % i for i in range(3)])


class Api(StandInCase):
    def test_errors_are_status_objects_with_reason_and_code(self):
        st, doc = K.api("from", "GET", "/apis/apps/v1/namespaces/%s/statefulsets/nope" % NS)
        self.assertEqual(st, 404)
        self.assertEqual((doc["kind"], doc["reason"], doc["code"]), ("Status", "NotFound", 404))
        self.assertEqual(doc["message"], 'statefulsets.apps "nope" not found')
        st, doc = K.api("from", "PATCH", "/apis/apps/v1/namespaces/%s/statefulsets/elastic-data/"
                        "scale" % NS, {"spec": {"replicas": 1}}, ctype="application/json")
        self.assertEqual((st, doc["reason"]), (415, "UnsupportedMediaType"))
        st, doc = K.api("from", "PATCH", "/apis/apps/v1/namespaces/%s/statefulsets/elastic-data/"
                        "scale" % NS, {"spec": {"replicas": -1}},
                        ctype="application/merge-patch+json")
        self.assertEqual((st, doc["reason"]), (422, "Invalid"))
        st, doc = K.api("from", "GET", "/apis/apps/v1/namespaces/%s/statefulsets" % NS,
                        token="wrong")
        self.assertEqual((st, doc["reason"]), (401, "Unauthorized"))

    def test_ebs_rule_keeps_a_new_pod_unready_while_the_old_one_exists(self):
        K.control("scale", {"cluster": "to", "namespace": NS, "name": "elastic-data",
                            "replicas": 1})
        self.wait(lambda: self.sts("to", "elastic-data")["pods"] == 1, "the new pod")
        time.sleep(0.3)
        self.assertEqual(self.sts("to", "elastic-data")["ready"], 0)
        self.assertEqual(self.sts("to", "elastic-data")["blocked"], 1)
        st, pod = K.api("to", "GET", "/api/v1/namespaces/%s/pods/elastic-data-0" % NS)
        self.assertIn("Multi-Attach error", json.dumps(pod["status"]))
        K.control("scale", {"cluster": "from", "namespace": NS, "name": "elastic-data",
                            "replicas": 0})
        self.wait(lambda: self.sts("to", "elastic-data")["ready"] == 1, "readiness once released")
        # a ready pod keeps its volume: the old one coming back does not take it away
        K.control("scale", {"cluster": "from", "namespace": NS, "name": "elastic-data",
                            "replicas": 1})
        time.sleep(0.3)
        self.assertEqual(self.sts("to", "elastic-data")["ready"], 1)
        self.assertEqual(self.sts("from", "elastic-data")["ready"], 0)

    def es(self, cluster, method, path, body=None):
        return K.api(cluster, method, "/api/v1/namespaces/%s/services/elastic-master:9200/proxy%s"
                     % (NS, path), body)

    def test_elasticsearch_goes_yellow_while_nodes_rejoin_and_green_after_allocation(self):
        st, doc = self.es("from", "PUT", "/_cluster/settings",
                          {"persistent": {"cluster.routing.allocation.enable": "primaries"}})
        self.assertEqual((st, doc["acknowledged"]), (200, True))
        self.assertEqual(self.es("from", "POST", "/_flush")[0], 200)
        K.control("scale", {"cluster": "from", "namespace": NS, "name": "elastic-data",
                            "replicas": 2})
        self.wait(lambda: self.es("from", "GET", "/_cluster/health")[1]["status"] == "yellow",
                  "yellow with a data node gone")
        K.control("scale", {"cluster": "from", "namespace": NS, "name": "elastic-data",
                            "replicas": 3})
        self.wait(lambda: self.sts("from", "elastic-data")["ready"] == 3, "the node back")
        time.sleep(0.5)
        health = self.es("from", "GET", "/_cluster/health")[1]
        self.assertEqual(health["status"], "yellow")  # replicas wait for allocation
        st, doc = self.es("from", "GET", "/_cluster/settings?flat_settings=true")
        self.assertEqual(doc["persistent"], {"cluster.routing.allocation.enable": "primaries"})
        self.es("from", "PUT", "/_cluster/settings",
                {"persistent": {"cluster.routing.allocation.enable": None}})
        self.wait(lambda: self.es("from", "GET", "/_cluster/health")[1]["status"] == "green",
                  "green")
        self.assertEqual(K.control("world")["es"]["reallocations"], 0)

    def test_without_disabled_allocation_replicas_are_rebuilt_elsewhere(self):
        K.control("scale", {"cluster": "from", "namespace": NS, "name": "elastic-data",
                            "replicas": 2})
        self.wait(lambda: K.control("world")["es"]["reallocations"] > 0, "a rebalance")

    def test_the_proxy_answers_503_without_endpoints_and_when_down(self):
        st, doc = self.es("to", "GET", "/_cluster/health")
        self.assertEqual((st, doc["kind"]), (503, "Status"))
        self.assertIn("no endpoints available", doc["message"])
        K.control("fault", {"proxy_down": True})
        st, doc = self.es("from", "GET", "/_cluster/health")
        self.assertEqual(st, 503)
        self.assertIn("connection refused", doc["message"])
        calls = [c for c in K.control("log")["calls"] if "proxied" in c]
        self.assertFalse(any(c["proxied"]["authorization"] is False for c in calls))


if __name__ == "__main__":
    unittest.main()
