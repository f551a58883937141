#!/usr/bin/env python3
"""Kubernetes API server stand-in for the e2e tests: two "clusters" sharing one world.

Each cluster is an HTTPS listener on 127.0.0.1 with a server certificate (SAN IP 127.0.0.1
and DNS localhost) signed by a CA generated at start-up. Requests authenticate with a bearer
token (per cluster), a client certificate signed by the same CA (user = its CN), or an
"exec token" `exec.<unix expiry>.<anything>` accepted until its expiry (so tests can see a
provider refresh a short-lived token, as EKS tokens last 15 minutes). Anything else is 401.

The API subset, with the field names, status codes, Status objects and content types of the
Kubernetes API reference:
  GET   /version, /api, /apis, /api/v1, /apis/apps/v1, /apis/autoscaling/v1  (discovery)
  GET   /apis/apps/v1/namespaces/NS/statefulsets[/NAME]
  GET   /apis/apps/v1/namespaces/NS/statefulsets/NAME/scale     (autoscaling/v1 Scale)
  PATCH /apis/apps/v1/namespaces/NS/statefulsets/NAME/scale     merge-patch+json (or
        strategic-merge-patch+json, json-patch+json as kubectl may send); PUT too
  PATCH /apis/apps/v1/namespaces/NS/statefulsets/NAME           spec.replicas only
  GET   /api/v1/namespaces/NS/pods[?labelSelector=k=v,...], /api/v1/namespaces/NS/pods/NAME
  GET   /api/v1/namespaces/NS/services/NAME
  ANY   /api/v1/namespaces/NS/services/[https:]NAME[:PORT]/proxy/PATH  to the Elasticsearch
        model (es_model.py) when the service has ready endpoints in this cluster, else 503.
        The Authorization header is removed before proxying, as kube-apiserver does.

The world: statefulsets (OrderedReady) converge one ordinal per tick: scaling up creates the
next ordinal once every lower one is Running and Ready; scaling down terminates the highest
ordinal, which disappears `terminate_ticks` later. A pod is ready `ready_ticks` after it was
created, except the EBS rule: a pod of a statefulset with volumes stays unready (and records
a Multi-Attach reason) while the pod of the same namespace/name/ordinal exists in the other
cluster. metadata.generation follows spec changes, status.observedGeneration catches up on
the next tick.

Control API (plain HTTP on its own 127.0.0.1 port, JSON in and out), under /_standin/:
  GET  ping | log | world
  POST reset                 {"tick": 0.1}
  POST statefulset           {"cluster": "from"|"to", "namespace", "name", "replicas",
                              "ready_ticks": 1, "terminate_ticks": 1, "volumes": true}
                              (created with `replicas` ready pods at once)
  POST service               {"cluster", "namespace", "name", "port", "statefulset"}
  POST es                    es_model.ESModel arguments
  POST es_fault              {"stuck_replicas": n}  (0: the stuck copies recover again)
  POST tokens                {"cluster", "tokens": [...], "exec": true}
  POST fault                 {"proxy_down": bool, "never_ready": ["to/NS/NAME"],
                              "ready_ticks": {"to/NS/NAME": n}, "paused": bool}
  POST scale                 {"cluster", "namespace", "name", "replicas"} (as someone else)

Usage: k8s_standin.py --dir DIR. Writes DIR/ca.pem, DIR/client.pem, DIR/client-key.pem,
prints one JSON line {"from": port, "to": port, "control": port} once ready, stops on
SIGTERM/SIGINT. Import K8sStandIn to run it from a test.
"""
import argparse
import datetime
import ipaddress
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from es_model import ESModel  # noqa: E402

CLUSTERS = ("from", "to")
MAX_BODY = 1 << 20


# ---- certificates ---------------------------------------------------------------------------
def make_pki(directory):
    """CA, server certificate for 127.0.0.1/localhost, client certificate (CN handoff-admin)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def pem_key(k):
        return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())

    def cert(subject, key, issuer, issuer_key, ca=False, san=None, eku=None):
        b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(minutes=5))
             .not_valid_after(now + datetime.timedelta(days=2))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san:
            b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
        if eku:
            b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        if ca:
            b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                              crl_sign=True, content_commitment=False,
                                              key_encipherment=False, data_encipherment=False,
                                              key_agreement=False, encipher_only=False,
                                              decipher_only=False), critical=True)
        return b.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = cert("standin-ca", ca_key, "standin-ca", ca_key, ca=True)
    srv_key = ec.generate_private_key(ec.SECP256R1())
    srv = cert("kube-apiserver", srv_key, "standin-ca", ca_key,
               san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")],
               eku=[ExtendedKeyUsageOID.SERVER_AUTH])
    cli_key = ec.generate_private_key(ec.SECP256R1())
    cli = cert("handoff-admin", cli_key, "standin-ca", ca_key,
               eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    files = {"ca.pem": ca, "server.pem": srv, "server-key.pem": pem_key(srv_key),
             "client.pem": cli, "client-key.pem": pem_key(cli_key)}
    for n, data in files.items():
        with open(os.path.join(directory, n), "wb") as f:
            f.write(data)
    return {n: os.path.join(directory, n) for n in files}


# ---- the world ------------------------------------------------------------------------------
def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


class Pod:
    def __init__(self, cluster, sts, ordinal, tick, ready=False):
        self.cluster = cluster
        self.namespace = sts.namespace
        self.sts = sts.name
        self.ordinal = ordinal
        self.name = "%s-%d" % (sts.name, ordinal)
        self.uid = str(uuid.uuid4())
        self.created = time.time()
        self.created_tick = tick
        self.ready_from = tick  # readiness clock; restarts when the EBS rule lets go
        self.ready = ready
        self.terminating_since = None
        self.blocked = False
        self.labels = dict(sts.labels, **{"statefulset.kubernetes.io/pod-name": self.name})


class StatefulSet:
    def __init__(self, cluster, namespace, name, replicas, ready_ticks=1, terminate_ticks=1,
                 volumes=True):
        self.cluster = cluster
        self.namespace = namespace
        self.name = name
        self.replicas = int(replicas)
        self.generation = 1
        self.observed = 1
        self.ready_ticks = int(ready_ticks)
        self.terminate_ticks = int(terminate_ticks)
        self.volumes = bool(volumes)
        self.labels = {"app": name}
        self.uid = str(uuid.uuid4())
        self.created = time.time()


class World:
    def __init__(self, tick=0.1):
        self.lock = threading.RLock()
        self.reset(tick)

    def reset(self, tick=0.1):
        with self.lock:
            self.tick_s = float(tick)
            self.tick_no = 0
            self.rv = 1000
            self.sts = {}  # (cluster, ns, name) -> StatefulSet
            self.pods = {}  # (cluster, ns, name, ordinal) -> Pod
            self.services = {}  # (cluster, ns, name) -> {"port", "statefulset", "uid"}
            self.tokens = {c: {"token-%s" % c} for c in CLUSTERS}
            self.exec_tokens = {c: False for c in CLUSTERS}
            self.es = None
            self.proxy_down = False
            self.never_ready = set()
            self.ready_override = {}
            self.paused = False
            self.log = []

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def all_pods(self):
        return list(self.pods.values())

    def pods_of(self, cluster, ns, name):
        return sorted((p for (c, n, s, _), p in self.pods.items()
                       if c == cluster and n == ns and s == name), key=lambda p: p.ordinal)

    def add_sts(self, cluster, ns, name, replicas, **kw):
        with self.lock:
            s = StatefulSet(cluster, ns, name, replicas, **kw)
            self.sts[(cluster, ns, name)] = s
            for i in range(s.replicas):
                self.pods[(cluster, ns, name, i)] = Pod(cluster, s, i, self.tick_no, ready=True)
            return s

    def set_replicas(self, s, n):
        if s.replicas != n:
            s.replicas = n
            s.generation += 1

    # ---- convergence -----------------------------------------------------------------
    def tick(self):
        with self.lock:
            if self.paused:
                return
            self.tick_no += 1
            for s in list(self.sts.values()):
                self.converge(s)
                s.observed = s.generation
            for p in self.all_pods():
                self.readiness(p)
            if self.es is not None:
                self.es.tick(self)

    def converge(self, s):
        pods = self.pods_of(s.cluster, s.namespace, s.name)
        for p in pods:
            if p.terminating_since is not None:
                if self.tick_no - p.terminating_since >= s.terminate_ticks:
                    del self.pods[(s.cluster, s.namespace, s.name, p.ordinal)]
                return  # OrderedReady: one pod at a time
        if len(pods) > s.replicas:
            top = pods[-1]
            top.terminating_since = self.tick_no
            top.ready = False
        elif len(pods) < s.replicas and all(p.ready for p in pods):
            have = {p.ordinal for p in pods}
            ordinal = min(i for i in range(s.replicas + 1) if i not in have)
            self.pods[(s.cluster, s.namespace, s.name, ordinal)] = Pod(s.cluster, s, ordinal,
                                                                        self.tick_no)

    def readiness(self, p):
        s = self.sts.get((p.cluster, p.namespace, p.sts))
        if p.terminating_since is not None or s is None:
            return
        if p.ready:
            return  # a running pod keeps its attached volume
        key = "%s/%s/%s" % (p.cluster, p.namespace, p.sts)
        other = [c for c in CLUSTERS if c != p.cluster][0]
        blocked = s.volumes and (other, p.namespace, p.sts, p.ordinal) in self.pods
        if blocked:
            p.blocked, p.ready, p.ready_from = True, False, self.tick_no
            return
        p.blocked = False
        need = self.ready_override.get(key, s.ready_ticks)
        if not p.ready and key not in self.never_ready and self.tick_no - p.ready_from >= need:
            p.ready = True

    # ---- documents -------------------------------------------------------------------
    def meta(self, name, ns, uid, created, generation=None, labels=None):
        m = {"name": name, "namespace": ns, "uid": uid, "resourceVersion": self.next_rv(),
             "creationTimestamp": rfc3339(created)}
        if generation is not None:
            m["generation"] = generation
        if labels:
            m["labels"] = dict(labels)
        return m

    def sts_doc(self, s):
        pods = self.pods_of(s.cluster, s.namespace, s.name)
        ready = sum(1 for p in pods if p.ready)
        spec = {
            "replicas": s.replicas,
            "selector": {"matchLabels": dict(s.labels)},
            "serviceName": s.name,
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {"metadata": {"labels": dict(s.labels)},
                         "spec": {"containers": [{"name": s.name, "image": "standin"}]}},
        }
        if s.volumes:
            spec["volumeClaimTemplates"] = [{
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                         "resources": {"requests": {"storage": "100Gi"}}}}]
        status = {"observedGeneration": s.observed, "replicas": len(pods),
                  "readyReplicas": ready, "currentReplicas": len(pods),
                  "updatedReplicas": len(pods), "availableReplicas": ready,
                  "currentRevision": s.name + "-5d8f", "updateRevision": s.name + "-5d8f",
                  "collisionCount": 0}
        if ready == 0:
            del status["readyReplicas"]  # omitted when zero, as the API server does
            del status["availableReplicas"]
        return {"kind": "StatefulSet", "apiVersion": "apps/v1",
                "metadata": self.meta(s.name, s.namespace, s.uid, s.created, s.generation,
                                      s.labels),
                "spec": spec, "status": status}

    def scale_doc(self, s):
        pods = self.pods_of(s.cluster, s.namespace, s.name)
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": self.meta(s.name, s.namespace, s.uid, s.created),
                "spec": {"replicas": s.replicas},
                "status": {"replicas": len(pods),
                           "selector": ",".join("%s=%s" % kv for kv in s.labels.items())}}

    def pod_doc(self, p):
        cond = "True" if p.ready else "False"
        status = {"phase": "Running" if p.ready or not p.blocked else "Pending",
                  "conditions": [{"type": "Ready", "status": cond},
                                 {"type": "ContainersReady", "status": cond}],
                  "startTime": rfc3339(p.created)}
        if p.blocked:
            status["conditions"].append({
                "type": "PodScheduled", "status": "True", "reason": "FailedAttachVolume",
                "message": "Multi-Attach error for volume \"data-%s\" Volume is already "
                           "exclusively attached to one node and can't be attached to another"
                           % p.name})
        meta = self.meta(p.name, p.namespace, p.uid, p.created, labels=p.labels)
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "StatefulSet",
                                    "name": p.sts, "controller": True,
                                    "uid": self.sts[(p.cluster, p.namespace, p.sts)].uid
                                    if (p.cluster, p.namespace, p.sts) in self.sts else ""}]
        if p.terminating_since is not None:
            meta["deletionTimestamp"] = rfc3339(time.time())
            meta["deletionGracePeriodSeconds"] = 30
        return {"kind": "Pod", "apiVersion": "v1", "metadata": meta,
                "spec": {"containers": [{"name": p.sts, "image": "standin"}],
                         "hostname": p.name, "subdomain": p.sts},
                "status": status}

    def snapshot(self):
        with self.lock:
            out = {"statefulsets": {}, "es": None}
            for (c, ns, name), s in self.sts.items():
                pods = self.pods_of(c, ns, name)
                out["statefulsets"]["%s/%s/%s" % (c, ns, name)] = {
                    "replicas": s.replicas, "pods": len(pods),
                    "ready": sum(1 for p in pods if p.ready),
                    "blocked": sum(1 for p in pods if p.blocked)}
            if self.es is not None:
                out["es"] = self.es.snapshot(self)
            return out


# ---- the API server -------------------------------------------------------------------------
def status_doc(code, reason, message, details=None):
    d = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": message, "reason": reason, "code": code}
    if details:
        d["details"] = details
    return d


def not_found(kind, group, name):
    qualified = "%s.%s" % (kind, group) if group else kind
    return 404, status_doc(404, "NotFound", '%s "%s" not found' % (qualified, name),
                           {"name": name, "group": group, "kind": kind})


DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                             "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": g, "versions": [{"groupVersion": g + "/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": g + "/v1", "version": "v1"}}
        for g in ("apps", "autoscaling")]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
         "verbs": ["get", "list"], "shortNames": ["po"]},
        {"name": "services", "singularName": "service", "namespaced": True, "kind": "Service",
         "verbs": ["get", "list"], "shortNames": ["svc"]},
        {"name": "services/proxy", "singularName": "", "namespaced": True,
         "kind": "ServiceProxyOptions", "verbs": ["create", "delete", "get", "patch", "update"]}]},
    "/apis/apps/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1",
                      "resources": [
                          {"name": "statefulsets", "singularName": "statefulset",
                           "namespaced": True, "kind": "StatefulSet",
                           "verbs": ["get", "list", "patch", "update"], "shortNames": ["sts"],
                           "categories": ["all"]},
                          {"name": "statefulsets/scale", "singularName": "", "namespaced": True,
                           "group": "autoscaling", "version": "v1", "kind": "Scale",
                           "verbs": ["get", "patch", "update"]},
                          {"name": "statefulsets/status", "singularName": "", "namespaced": True,
                           "kind": "StatefulSet", "verbs": ["get"]}]},
    "/apis/autoscaling/v1": {"kind": "APIResourceList", "apiVersion": "v1",
                             "groupVersion": "autoscaling/v1", "resources": []},
    "/version": {"major": "1", "minor": "30", "gitVersion": "v1.30.0-standin",
                 "platform": "linux/amd64"},
}

PATCH_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/json-patch+json", "application/apply-patch+yaml")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin-apiserver"

    def log_message(self, fmt, *args):  # quiet: the request log is the record
        pass

    def setup(self):
        self.request.settimeout(30)
        # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK add 40 ms to every answer
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    # every method goes through one dispatcher
    def do_GET(self):
        self.dispatch()

    do_PUT = do_PATCH = do_POST = do_DELETE = do_GET

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            return None
        return self.rfile.read(n) if n else b""

    def send(self, code, doc, ctype="application/json"):
        raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(raw)
        return code

    def user(self, world):
        auth = self.headers.get("Authorization", "")
        cluster = self.server.cluster
        if auth.startswith("Bearer "):
            tok = auth[7:].strip()
            if tok in world.tokens[cluster]:
                return "token:" + tok[:6]
            m = re.fullmatch(r"exec\.(\d+)\.[A-Za-z0-9_-]+", tok)
            if m and world.exec_tokens[cluster] and int(m.group(1)) > time.time():
                return "exec"
            return None
        cert = self.request.getpeercert()
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        return "cert:" + v
        return None

    def dispatch(self):
        world = self.server.world
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self.body()
        entry = {"t": time.time(), "cluster": self.server.cluster, "method": self.command,
                 "path": url.path, "query": url.query, "status": 0}
        if body is None:
            entry["status"] = self.send(413, status_doc(413, "RequestEntityTooLarge",
                                                        "request entity too large"))
        else:
            with world.lock:
                user = self.user(world)
                entry["user"] = user
                if body and self.command in ("PATCH", "PUT", "POST"):
                    entry["body"] = body.decode("utf-8", "replace")[:2000]
                if user is None:
                    code, doc = 401, status_doc(401, "Unauthorized", "Unauthorized")
                else:
                    code, doc = self.route(world, url.path, query, body, entry)
            if isinstance(doc, tuple):  # proxied answer: (content type, bytes)
                entry["status"] = self.send(code, doc[1], doc[0])
            else:
                entry["status"] = self.send(code, doc)
        with world.lock:
            world.log.append(entry)

    def route(self, world, path, query, body, entry):
        c = self.server.cluster
        if path in DISCOVERY and self.command == "GET":
            return 200, DISCOVERY[path]
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/services/([^/]+)/proxy(/.*)?", path)
        if m:
            return self.proxy(world, m.group(1), m.group(2), m.group(3) or "/", query, body,
                              entry)
        m = re.fullmatch(r"/apis/apps/v1/namespaces/([^/]+)/statefulsets(?:/([^/]+)(/scale)?)?",
                         path)
        if m:
            return self.statefulsets(world, c, m.group(1), m.group(2), bool(m.group(3)), body)
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/pods(?:/([^/]+))?", path)
        if m and self.command == "GET":
            return self.pods(world, c, m.group(1), m.group(2), query)
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/services/([^/]+)", path)
        if m and self.command == "GET":
            svc = world.services.get((c, m.group(1), m.group(2)))
            if svc is None:
                return not_found("services", "", m.group(2))
            return 200, {"kind": "Service", "apiVersion": "v1",
                         "metadata": world.meta(m.group(2), m.group(1), svc["uid"], 0),
                         "spec": {"ports": [{"port": svc["port"], "protocol": "TCP"}],
                                  "selector": {"app": svc["statefulset"]},
                                  "type": "ClusterIP", "clusterIP": "10.100.0.10"}}
        return 404, status_doc(404, "NotFound", "the server could not find the requested "
                               "resource", {})

    def statefulsets(self, world, c, ns, name, scale, body):
        if name is None:
            if self.command != "GET":
                return 405, status_doc(405, "MethodNotAllowed",
                                       "the server does not allow this method on the requested "
                                       "resource")
            items = [world.sts_doc(s) for (cl, n, _), s in sorted(world.sts.items())
                     if cl == c and n == ns]
            return 200, {"kind": "StatefulSetList", "apiVersion": "apps/v1",
                         "metadata": {"resourceVersion": world.next_rv()}, "items": items}
        s = world.sts.get((c, ns, name))
        if s is None:
            return not_found("statefulsets", "apps", name)
        if self.command == "GET":
            return 200, world.scale_doc(s) if scale else world.sts_doc(s)
        if self.command not in ("PATCH", "PUT"):
            return 405, status_doc(405, "MethodNotAllowed", "the server does not allow this "
                                   "method on the requested resource")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if self.command == "PATCH" and ctype not in PATCH_TYPES:
            return 415, status_doc(415, "UnsupportedMediaType",
                                   '415: Unsupported Media Type ("%s")' % ctype)
        try:
            doc = json.loads(body or b"null")
        except ValueError as e:
            return 400, status_doc(400, "BadRequest", "error decoding patch: %s" % e)
        if ctype == "application/json-patch+json":
            replicas = next((op.get("value") for op in doc if isinstance(op, dict) and
                             op.get("path") == "/spec/replicas"), None)
        else:
            replicas = ((doc or {}).get("spec") or {}).get("replicas") \
                if isinstance(doc, dict) else None
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            return 422, status_doc(422, "Invalid", 'StatefulSet.apps "%s" is invalid: '
                                   "spec.replicas: Invalid value: %r: must be greater than or "
                                   "equal to 0" % (name, replicas),
                                   {"name": name, "group": "apps", "kind": "StatefulSet",
                                    "causes": [{"reason": "FieldValueInvalid",
                                                "field": "spec.replicas"}]})
        world.set_replicas(s, replicas)
        return 200, world.scale_doc(s) if scale else world.sts_doc(s)

    def pods(self, world, c, ns, name, query):
        if name is not None:
            for p in world.all_pods():
                if (p.cluster, p.namespace, p.name) == (c, ns, name):
                    return 200, world.pod_doc(p)
            return not_found("pods", "", name)
        want = {}
        for term in filter(None, (query.get("labelSelector") or "").split(",")):
            if "=" not in term:
                return 400, status_doc(400, "BadRequest", "unable to parse requirement: %s"
                                       % term)
            k, v = term.split("=", 1)
            want[k.rstrip("=").strip()] = v.lstrip("=").strip()
        items = [world.pod_doc(p) for p in sorted(world.all_pods(),
                                                   key=lambda p: (p.sts, p.ordinal))
                 if p.cluster == c and p.namespace == ns and
                 all(p.labels.get(k) == v for k, v in want.items())]
        return 200, {"kind": "PodList", "apiVersion": "v1",
                     "metadata": {"resourceVersion": world.next_rv()}, "items": items}

    def proxy(self, world, ns, target, rest, query, body, entry):
        c = self.server.cluster
        parts = target.split(":")
        scheme = parts.pop(0) if parts and parts[0] in ("http", "https") else "http"
        name = parts[0]
        port = parts[1] if len(parts) > 1 else ""
        svc = world.services.get((c, ns, name))
        if svc is None:
            return not_found("services", "", name)
        if port and port != str(svc["port"]):
            return 503, status_doc(503, "ServiceUnavailable",
                                   'no endpoints available for service "%s:%s"'
                                   % (name, port))
        ready = [p for p in world.pods_of(c, ns, svc["statefulset"]) if p.ready]
        es = world.es
        entry["proxied"] = {"scheme": scheme, "path": rest,
                            "authorization": "Authorization" in self.headers}
        if world.proxy_down:
            return 503, status_doc(503, "ServiceUnavailable",
                                   "error trying to reach service: dial tcp 10.0.0.10:%s: "
                                   "connect: connection refused" % svc["port"])
        if not ready or es is None:
            return 503, status_doc(503, "ServiceUnavailable",
                                   'no endpoints available for service "%s"' % name)
        # kube-apiserver drops Authorization once it has authenticated the request
        headers = {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"}
        code, doc = es.handle(world, self.command, rest, query, headers, body)
        return code, ("application/json; charset=UTF-8", json.dumps(doc).encode())


class APIServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, world, cluster, pki):
        self.world = world
        self.cluster = cluster
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(pki["server.pem"], pki["server-key.pem"])
        self.tls.load_verify_locations(pki["ca.pem"])
        self.tls.verify_mode = ssl.CERT_OPTIONAL
        super().__init__(("127.0.0.1", 0), Handler)


# ---- control API ----------------------------------------------------------------------------
class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_control()

    do_POST = do_GET

    def handle_control(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            args = json.loads(raw) if raw else {}
            result, code = control(self.server.world, self.path.split("/")[-1], args), 200
        except (ValueError, KeyError, TypeError) as e:
            result, code = {"error": "%s: %s" % (type(e).__name__, e)}, 400
        data = json.dumps(result).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def control(world, what, a):
    w = world
    with w.lock:
        if what == "ping":
            return {"ok": True}
        if what == "log":
            return {"calls": list(w.log)}
        if what == "world":
            return w.snapshot()
        if what == "reset":
            w.reset(a.get("tick", 0.1))
        elif what == "statefulset":
            if a["cluster"] not in CLUSTERS:
                raise KeyError(a["cluster"])
            w.add_sts(a["cluster"], a["namespace"], a["name"], a["replicas"],
                      ready_ticks=a.get("ready_ticks", 1),
                      terminate_ticks=a.get("terminate_ticks", 1),
                      volumes=a.get("volumes", True))
        elif what == "service":
            w.services[(a["cluster"], a["namespace"], a["name"])] = {
                "port": int(a["port"]), "statefulset": a["statefulset"], "uid": str(uuid.uuid4())}
        elif what == "es":
            w.es = ESModel(a)
        elif what == "es_fault":
            w.es.set_stuck(int(a.get("stuck_replicas", 0)))
        elif what == "tokens":
            w.tokens[a["cluster"]] = set(a.get("tokens", []))
            w.exec_tokens[a["cluster"]] = bool(a.get("exec", False))
        elif what == "fault":
            w.proxy_down = bool(a.get("proxy_down", w.proxy_down))
            w.paused = bool(a.get("paused", w.paused))
            if "never_ready" in a:
                w.never_ready = set(a["never_ready"])
            if "ready_ticks" in a:
                w.ready_override = {k: int(v) for k, v in a["ready_ticks"].items()}
        elif what == "scale":
            w.set_replicas(w.sts[(a["cluster"], a["namespace"], a["name"])], int(a["replicas"]))
        else:
            raise KeyError("unknown control %r" % what)
    return {"ok": True}


def serve(directory):
    pki = make_pki(directory)
    world = World()
    servers = {c: APIServer(world, c, pki) for c in CLUSTERS}
    ctl = ThreadingHTTPServer(("127.0.0.1", 0), ControlHandler)
    ctl.daemon_threads = True
    ctl.world = world
    stop = threading.Event()

    def ticker():
        while not stop.wait(world.tick_s):
            world.tick()

    def on_signal(signum, frame):
        stop.set()
        for s in list(servers.values()) + [ctl]:
            threading.Thread(target=s.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [threading.Thread(target=ticker, daemon=True)]
    threads += [threading.Thread(target=s.serve_forever, daemon=True)
                for s in list(servers.values()) + [ctl]]
    for t in threads:
        t.start()
    print(json.dumps({"from": servers["from"].server_port, "to": servers["to"].server_port,
                      "control": ctl.server_port}), flush=True)
    stop.wait()
    time.sleep(0.2)
    return 0


class K8sStandIn:
    """Runs the stand-in as a child process; for tests. Use as a context manager."""

    def __init__(self, directory, log_path=os.devnull):
        self.dir = directory
        self.log_path = log_path
        self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--dir",
                                      self.dir], stdout=subprocess.PIPE, stderr=self._log)
        line = self.proc.stdout.readline()
        if not line.strip():
            self.stop()
            raise RuntimeError("k8s stand-in did not start")
        ports = json.loads(line)
        self.ports = ports
        self.host = {c: "https://127.0.0.1:%d" % ports[c] for c in CLUSTERS}
        self.control_url = "http://127.0.0.1:%d" % ports["control"]
        self.ca_path = os.path.join(self.dir, "ca.pem")
        with open(self.ca_path) as f:
            self.ca = f.read()
        with open(os.path.join(self.dir, "client.pem")) as f:
            self.client_cert = f.read()
        with open(os.path.join(self.dir, "client-key.pem")) as f:
            self.client_key = f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_log", None):
            self._log.close()

    def control(self, what, args=None):
        data = json.dumps(args).encode() if args is not None else None
        req = urllib.request.Request("%s/_standin/%s" % (self.control_url, what), data=data,
                                     method="POST" if data is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def api(self, cluster, method, path, body=None, token=None, ctype="application/json"):
        """A raw API call with the cluster's token; (status, document)."""
        ctx = ssl.create_default_context(cafile=self.ca_path)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.host[cluster] + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " +
                                              (token or "token-" + cluster),
                                              "Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where the CA and client keys are written")
    return serve(parser.parse_args().dir)


if __name__ == "__main__":
    sys.exit(main())
