#!/usr/bin/env python3
"""AWS stand-in for the e2e tests: moto's server plus the ELBv2 behaviour moto lacks.

moto answers every AWS API, but reports each registered target `healthy` at once and forgets
deregistered targets at once. This wrapper sits in front of moto's WSGI app and adds, for
ELBv2 (Query API version 2015-12-01):

* health sequences per target: `initial` for N polls or T seconds after registration, then a
  final state; or a fixed state such as `unhealthy`;
* draining: a deregistered target shows `draining` (Target.DeregistrationInProgress) in
  DescribeTargetHealth for the configured deregistration delay;
* injected throttling: the next N calls of an action answer HTTP 400 `Throttling` in the AWS
  XML error layout;
* injected hangs: the next N calls of an action are logged, never performed and never
  answered (the connection stays open, silent) until a reset or `hang` with count 0, as an
  endpoint that accepts and stalls does;
* a server-side log of every ELBv2 call with its time, targets and HTTP status, so tests
  observe the walk (e.g. the percent sequence) from the server's point of view, and with
  the credentials it was signed with: the access key id of the Authorization header, the
  X-Amz-Security-Token, whether the SigV4 signature checks out against the secret of that key
  (known for every key this process issued: moto's STS, the metadata stand-ins below, keys
  registered by a test) and whether the key had expired (then the call is answered
  ExpiredToken, as AWS does);
* credential endpoints on the same port, issuing temporary keys with a configurable lifetime:
  EC2 instance metadata IMDSv2 (PUT /latest/api/token, then
  /latest/meta-data/iam/security-credentials/[role], token required) and a container
  credentials endpoint (GET /_creds/container, Authorization checked when a token is set),
  each fetch logged.

For listeners and rules (weighted forwarding): moto 5.2 stores each action as sent
(ForwardConfig target groups with their weights, a missing Weight as 1, stickiness, Order,
authenticate-*/redirect/fixed-response configs, rule conditions) and answers Describe/Modify
with them. What it lacks:
* the echo real AWS gives a plain forward: DescribeListeners/DescribeRules (and the Modify
  answers) show `TargetGroupArn` together with a one-group `ForwardConfig` (weight 1,
  stickiness off), as AWS does; and, as AWS, they never show an OIDC ClientSecret;
* AWS's checks of ModifyListener/ModifyRule actions: a TargetGroupArn next to a ForwardConfig
  that is not that one group (ValidationError), weights outside 0..999 (ValidationError),
  unknown target groups (TargetGroupNotFound), an authenticate-oidc action without
  ClientSecret or UseExistingClientSecret=true (ValidationError);
* the log entries of ModifyListener/ModifyRule carry "resource" (the listener or rule ARN),
  "weights" ({target group ARN: weight} of the forward action sent) and "params" (every
  Query parameter, to check that nothing else changed).
CloudWatch calls (DescribeAlarms) are logged like other services' calls, with their
parameters. Alarm states come from moto (PutMetricAlarm, SetAlarmState).

Control API (JSON bodies and answers), all under /_standin/:
  GET  /_standin/ping                      -> {"ok": true}
  POST /_standin/reset                     clears stand-in state and moto's backends
  POST /_standin/config  {"deregistration_delay": 2.0,
                          "default_health": {...spec...}}
  POST /_standin/health  {"target": "i-1", ...spec...}   (spec for one target id)
        spec: {"initial_polls": 3, "then": "healthy"} | {"initial_seconds": 1.5, "then": ...}
              | {"state": "unhealthy"}   ("then" defaults to "healthy")
  POST /_standin/throttle {"action": "RegisterTargets" | "*", "count": 2}
  POST /_standin/hang     {"action": "RegisterTargets" | "*", "count": 1}   (count 0: release)
  GET  /_standin/log                       -> {"calls": [{"t": 1700000000.123,
                                               "action": "RegisterTargets", "status": 200,
                                               "throttled": false, "target_group": arn,
                                               "targets": [{"id": "i-1", "port": 80}],
                                               "access_key": "ASIA...", "token": "..." | null,
                                               "signature_ok": true | false | null (unknown
                                               key), "key_source": "imds" | "container" |
                                               "sts" | "registered" | null,
                                               "expired": false}],
                                               "fetches": [{"t": ..., "source": "imds",
                                               "access_key": "ASIA..."}]}
        Calls to other services are logged too: Query APIs (Auto Scaling...) with "action",
        "version" and "params"; REST APIs (EKS) with "action" = "METHOD /path", "method",
        "path" and "body". `throttle` applies to them when it names their action.
  POST /_standin/credentials {"lifetime": 60, "role": "ci-role",
                              "container_token": "secret" | null}
  POST /_standin/register {"access_key": ..., "secret_key": ..., "token": ...,
                           "expires": epoch | null}   (keys a test hands out itself)

Usage: elbv2_standin.py [--port N]. Binds 127.0.0.1 only, prints the port on stdout once
ready, stops cleanly on SIGTERM or SIGINT. Import StandInProcess to run it from a test.
"""
import argparse
import datetime
import hashlib
import hmac
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import re
import secrets
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

ELBV2_VERSION = "2015-12-01"
CLOUDWATCH_VERSION = "2010-08-01"
NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
REASONS = {
    "initial": ("Elb.InitialHealthChecking", "Initial health checks in progress"),
    "unhealthy": ("Target.FailedHealthChecks", "Health checks failed"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unused": ("Target.NotRegistered", "Target is not registered to the target group"),
}


def _q(tag):
    return "{%s}%s" % (NS, tag)


class State:
    """Everything the wrapper adds to moto; guarded by one lock (werkzeug is threaded)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.delay = 0.0
        self.default_spec = {}
        self.specs = {}  # target id -> spec
        self.registered = {}  # (arn, id) -> {"t": time, "polls": n}
        self.draining = {}  # (arn, id) -> (port, until)
        self.ports = {}  # (arn, id) -> port moto last reported, for draining entries
        self.throttles = {}  # action or "*" -> remaining count
        self.hangs = {}  # action or "*" -> remaining count
        self.lifetime = 3600.0  # seconds, of the keys the metadata stand-ins issue
        self.role = "ci-role"
        self.container_token = None
        self.keys = {}  # access key -> {"secret", "token", "expires", "source"}
        self.imds_tokens = set()
        self.fetches = []
        if getattr(self, "released", None) is not None:
            self.released.set()  # wake every call hanging on the previous event
        self.released = threading.Event()
        self.calls = []

    @staticmethod
    def take(counts, action):
        for key in (action, "*"):
            if counts.get(key, 0) > 0:
                counts[key] -= 1
                return True
        return False

    def take_throttle(self, action):
        return self.take(self.throttles, action)

    def health_of(self, arn, target_id, now):
        spec = self.specs.get(target_id, self.default_spec)
        reg = self.registered.setdefault((arn, target_id), {"t": now, "polls": 0})
        reg["polls"] += 1
        if "state" in spec:
            return spec["state"]
        then = spec.get("then", "healthy")
        if "initial_polls" in spec and reg["polls"] <= int(spec["initial_polls"]):
            return "initial"
        if "initial_seconds" in spec and now - reg["t"] < float(spec["initial_seconds"]):
            return "initial"
        return then


def targets_of(form):
    out = []
    n = 1
    while "Targets.member.%d.Id" % n in form:
        port = form.get("Targets.member.%d.Port" % n)
        out.append({"id": form["Targets.member.%d.Id" % n], "port": int(port) if port else None})
        n += 1
    return out


AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,"
                     r"\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)")


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sigv4_ok(environ, body, secret):
    """Checks the SigV4 signature of a request (POST to a path, any query) with secret."""
    m = AUTH_RE.match(environ.get("HTTP_AUTHORIZATION", ""))
    if not m:
        return False
    _, date, region, service, signed, signature = m.groups()

    def header(name):
        special = {"host": "HTTP_HOST", "content-type": "CONTENT_TYPE",
                   "content-length": "CONTENT_LENGTH"}
        return environ.get(special.get(name, "HTTP_" + name.upper().replace("-", "_")), "")

    canonical_headers = "".join("%s:%s\n" % (n, " ".join(header(n).split()))
                                for n in signed.split(";"))
    query = "&".join(sorted(environ.get("QUERY_STRING", "").split("&"))) \
        if environ.get("QUERY_STRING") else ""
    creq = "\n".join([environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/", query,
                      canonical_headers, signed, hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", environ.get("HTTP_X_AMZ_DATE", ""), scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
    k = _hmac(("AWS4" + secret).encode(), date)
    for part in (region, service, "aws4_request"):
        k = _hmac(k, part)
    return hmac.compare_digest(hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest(),
                               signature)


def moto_sts_key(access_key):
    """The secret, token, expiry and role of a key moto's STS issued (same process)."""
    try:
        from moto.sts.models import sts_backends
        for account in list(sts_backends.keys()):
            for partition in list(sts_backends[account].keys()):
                for role in list(sts_backends[account][partition].assumed_roles):
                    if role.access_key_id != access_key:
                        continue
                    exp = role.expiration
                    if exp.tzinfo is None:
                        exp = exp.replace(tzinfo=datetime.timezone.utc)
                    return {"secret": role.secret_access_key, "token": role.session_token,
                            "expires": exp.timestamp(), "source": "sts",
                            "role_arn": role.role_arn}
    except Exception:  # a moto internals change: the key is then "unknown", never "valid"
        return None
    return None


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def expired_token_body():
    return (
        '<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>ExpiredToken</Code>'
        "<Message>The security token included in the request is expired</Message></Error>"
        "<RequestId>standin-expired</RequestId></ErrorResponse>" % NS
    ).encode()


def throttling_body():
    return (
        '<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>Throttling</Code>'
        "<Message>Rate exceeded</Message></Error><RequestId>standin-throttle</RequestId>"
        "</ErrorResponse>" % NS
    ).encode()


class StandInApp:
    """WSGI middleware in front of moto's DomainDispatcherApplication."""

    def __init__(self, moto_app):
        self.moto = moto_app
        self.state = State()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_standin/"):
            return self.control(environ, start_response, path[len("/_standin/"):])
        if path.startswith("/latest/") or path.startswith("/_creds/"):
            return self.metadata(environ, start_response, path)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        if form.get("Version") != ELBV2_VERSION or "Action" not in form:
            return self.other(environ, start_response, form, body)
        return self.elbv2(environ, start_response, form, body)

    # ---- credentials -----------------------------------------------------------------------
    def key_info(self, access_key):
        with self.state.lock:
            known = self.state.keys.get(access_key)
        return known if known is not None else moto_sts_key(access_key)

    def check_credentials(self, environ, body, now):
        """What an ELBv2 call was signed with, for the log."""
        m = AUTH_RE.match(environ.get("HTTP_AUTHORIZATION", ""))
        key = m.group(1) if m else None
        token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
        out = {"access_key": key, "token": token, "signature_ok": None, "key_source": None,
               "key_role": None, "expired": False}
        info = self.key_info(key) if key else None
        if info is not None:
            out["key_source"] = info["source"]
            out["key_role"] = info.get("role_arn")
            out["signature_ok"] = (sigv4_ok(environ, body, info["secret"]) and
                                   token == info.get("token"))
            out["expired"] = info.get("expires") is not None and now >= info["expires"]
        return out

    def issue(self, source):
        now = time.time()
        key = "ASIA%s%s" % (source[:4].upper(), secrets.token_hex(6).upper())
        creds = {"secret": secrets.token_urlsafe(24), "token": secrets.token_urlsafe(48),
                 "expires": float(int(now + self.state.lifetime)), "source": source}
        with self.state.lock:
            self.state.keys[key] = creds
            self.state.fetches.append({"t": now, "source": source, "access_key": key})
        return {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": key,
                "SecretAccessKey": creds["secret"], "Token": creds["token"],
                "Expiration": iso(creds["expires"]), "LastUpdated": iso(now)}

    def metadata(self, environ, start_response, path):
        """IMDSv2 and the container credentials endpoint."""
        method = environ["REQUEST_METHOD"]
        st = self.state
        if path == "/latest/api/token" and method == "PUT":
            if not environ.get("HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS"):
                return self.reply(start_response, 400, b"missing ttl", [("Content-Type",
                                                                          "text/plain")])
            token = secrets.token_urlsafe(32)
            with st.lock:
                st.imds_tokens.add(token)
            return self.reply(start_response, 200, token.encode(), [("Content-Type",
                                                                      "text/plain")])
        if path.startswith("/latest/meta-data/iam/security-credentials/"):
            with st.lock:
                ok = environ.get("HTTP_X_AWS_EC2_METADATA_TOKEN") in st.imds_tokens
            if not ok:  # IMDSv2 only: no token, no answer
                return self.reply(start_response, 401, b"", [("Content-Type", "text/plain")])
            role = path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self.reply(start_response, 200, st.role.encode(),
                                  [("Content-Type", "text/plain")])
            if role != st.role:
                return self.reply(start_response, 404, b"", [("Content-Type", "text/plain")])
            return self.json_reply(start_response, 200, self.issue("imds"))
        if path == "/_creds/container" and method == "GET":
            if st.container_token and environ.get("HTTP_AUTHORIZATION") != st.container_token:
                return self.json_reply(start_response, 401, {
                    "code": "AccessDenied", "message": "bad or missing authorization token"})
            return self.json_reply(start_response, 200, self.issue("container"))
        return self.reply(start_response, 404, b"", [("Content-Type", "text/plain")])

    def json_reply(self, start_response, status, doc):
        return self.reply(start_response, status, json.dumps(doc).encode(),
                          [("Content-Type", "application/json")])

    # ---- other services: logged (Auto Scaling, EKS...) and passed to moto -----------------
    def other(self, environ, start_response, form, body):
        """Query calls are logged with their action, version and parameters, REST calls
        (EKS) with method and path; both can be throttled like ELBv2 calls."""
        if "Action" in form:
            action = form["Action"]
            entry = {"action": action, "version": form.get("Version", ""),
                     "params": {k: v for k, v in form.items() if k not in ("Action", "Version")}}
        else:
            path = environ.get("PATH_INFO", "")
            action = environ.get("REQUEST_METHOD", "GET") + " " + path
            entry = {"action": action, "method": environ.get("REQUEST_METHOD"), "path": path,
                     "body": body.decode("utf-8", "replace")[:2000]}
        now = time.time()
        entry.update({"t": now, "status": 400, "throttled": False, "targets": [],
                      "target_group": ""})
        entry.update(self.check_credentials(environ, body, now))  # the same fields as ELBv2's
        with self.state.lock:
            self.state.calls.append(entry)
            if entry["expired"] and "version" in entry:  # Query APIs share the XML layout
                return self.reply(start_response, 400, expired_token_body())
            # only when named: "*" stays ELBv2's, as it was before these services were logged
            if self.state.throttles.get(action, 0) > 0:
                self.state.throttles[action] -= 1
                entry["throttled"] = True
                return self.reply(start_response, 400, throttling_body())
        status, headers, out = self.forward(environ)
        entry["status"] = status
        return self.reply(start_response, status, out, headers)

    # ---- ELBv2 ---------------------------------------------------------------------------
    def elbv2(self, environ, start_response, form, body):
        action, arn = form["Action"], form.get("TargetGroupArn", "")
        now = time.time()
        entry = {"t": now, "action": action, "target_group": arn, "targets": targets_of(form),
                 "throttled": False, "status": 400}
        entry.update(self.check_credentials(environ, body, now))
        entry.update(listener_log_fields(action, form))
        with self.state.lock:
            self.state.calls.append(entry)
            if entry["expired"]:
                return self.reply(start_response, 400, expired_token_body())
            if self.state.take_throttle(action):
                entry["throttled"] = True
                return self.reply(start_response, 400, throttling_body())
            hang = self.state.released if self.state.take(self.state.hangs, action) else None
        if hang is not None:
            entry["hung"] = True
            hang.wait(600)  # bounded: a forgotten hang never outlives a test run by much
            return self.reply(start_response, 503, b"")
        rejected = check_actions(action, form)
        if rejected is not None:
            return self.reply(start_response, 400, rejected)
        status, headers, body = self.forward(environ)
        entry["status"] = status
        if status == 200:
            body = self.after(action, arn, entry["targets"], form, body, now)
        return self.reply(start_response, status, body, headers)

    def forward(self, environ):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = headers

        chunks = self.moto(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        return captured["status"], headers, body

    def after(self, action, arn, targets, form, body, now):
        with self.state.lock:
            if action == "RegisterTargets":
                for t in targets:
                    self.state.draining.pop((arn, t["id"]), None)
                    self.state.registered[(arn, t["id"])] = {"t": now, "polls": 0}
            elif action == "DeregisterTargets":
                for t in targets:
                    self.state.registered.pop((arn, t["id"]), None)
                    port = t["port"] or self.state.ports.get((arn, t["id"]))
                    if self.state.delay > 0:
                        self.state.draining[(arn, t["id"])] = (port, now + self.state.delay)
            elif action == "DescribeTargetHealth":
                return self.rewrite_health(arn, targets, body, now)
            elif action in LISTENER_ANSWERS:
                return echo_plain_forwards(body)
        return body

    def rewrite_health(self, arn, wanted, body, now):
        ET.register_namespace("", NS)
        root = ET.fromstring(body)
        descs = root.find("%s/%s" % (_q("DescribeTargetHealthResult"),
                                     _q("TargetHealthDescriptions")))
        if descs is None:
            return body
        wanted_ids = {t["id"] for t in wanted}
        for member in list(descs):
            tid = member.findtext("%s/%s" % (_q("Target"), _q("Id")))
            port = member.findtext("%s/%s" % (_q("Target"), _q("Port")))
            if port:
                self.state.ports[(arn, tid)] = int(port)
            if (arn, tid) in self.state.draining:
                descs.remove(member)  # shown below as draining instead of moto's guess
                continue
            self.set_state(member, self.state.health_of(arn, tid, now))
        for (tg, tid), (port, until) in list(self.state.draining.items()):
            if until <= now:
                del self.state.draining[(tg, tid)]
            elif tg == arn and (not wanted_ids or tid in wanted_ids):
                descs.append(self.member(tid, port, "draining"))
        return ET.tostring(root, encoding="utf-8")

    @staticmethod
    def set_state(member, state):
        health = member.find(_q("TargetHealth"))
        if health is None:
            health = ET.SubElement(member, _q("TargetHealth"))
        for child in list(health):
            health.remove(child)
        ET.SubElement(health, _q("State")).text = state
        if state in REASONS:
            ET.SubElement(health, _q("Reason")).text = REASONS[state][0]
            ET.SubElement(health, _q("Description")).text = REASONS[state][1]

    def member(self, tid, port, state):
        m = ET.Element(_q("member"))
        target = ET.SubElement(m, _q("Target"))
        ET.SubElement(target, _q("Id")).text = tid
        if port:
            ET.SubElement(target, _q("Port")).text = str(port)
        self.set_state(m, state)
        return m

    @staticmethod
    def reply(start_response, status, body, headers=None):
        headers = list(headers or [("Content-Type", "text/xml")])
        headers.append(("Content-Length", str(len(body))))
        reason = {200: "OK", 400: "Bad Request"}.get(status, "Status")
        start_response("%d %s" % (status, reason), headers)
        return [body]

    # ---- control API -----------------------------------------------------------------------
    def control(self, environ, start_response, what):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            args = json.loads(raw) if raw else {}
            result = self.control_action(what, args)
            status = 200
        except (ValueError, KeyError, TypeError) as e:
            result, status = {"error": str(e)}, 400
        body = json.dumps(result).encode()
        return self.reply(start_response, status, body, [("Content-Type", "application/json")])

    def control_action(self, what, args):
        st = self.state
        with st.lock:
            if what == "ping":
                return {"ok": True}
            if what == "log":
                return {"calls": list(st.calls), "fetches": list(st.fetches)}
            if what == "reset":
                st.reset()
            elif what == "config":
                st.delay = float(args.get("deregistration_delay", st.delay))
                st.default_spec = args.get("default_health", st.default_spec)
            elif what == "health":
                st.specs[args["target"]] = {k: v for k, v in args.items() if k != "target"}
            elif what == "credentials":
                st.lifetime = float(args.get("lifetime", st.lifetime))
                st.role = args.get("role", st.role)
                st.container_token = args.get("container_token", st.container_token)
            elif what == "register":
                st.keys[args["access_key"]] = {"secret": args["secret_key"],
                                               "token": args.get("token"),
                                               "expires": args.get("expires"),
                                               "source": "registered"}
            elif what == "throttle":
                st.throttles[args.get("action", "*")] = int(args["count"])
            elif what == "hang":
                if int(args["count"]) == 0:
                    st.hangs.clear()
                    st.released.set()
                    st.released = threading.Event()
                else:
                    st.hangs[args.get("action", "*")] = int(args["count"])
            else:
                raise KeyError("unknown control %r" % what)
        if what == "reset":
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()
        return {"ok": True}


def make_app():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return StandInApp(DomainDispatcherApplication(create_backend_app))


def serve(port):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, make_app(), threaded=True)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(server.server_port, flush=True)
    server.serve_forever()
    server.server_close()
    return 0


def moto_problem():
    """Why this interpreter cannot run the stand-in (None when it can). The e2e tests run
    under the python3 CMake found at configure time, which may not be the one moto was
    installed for."""
    try:
        import moto  # noqa: F401
        import werkzeug  # noqa: F401
    except ImportError as e:
        return ("the AWS stand-in needs the Python package moto, but %s cannot import it (%s):"
                " install it for that interpreter (pip install 'moto[server]') or reconfigure"
                " with cmake -DPYTHON3=/path/to/a/python3/with/moto" % (sys.executable, e))
    return None


def require_moto():
    """Skips loudly without moto; under CI=true a missing moto fails instead."""
    import unittest

    why = moto_problem()
    if why is None:
        return
    if os.environ.get("CI") == "true":
        raise RuntimeError(why)
    sys.stderr.write("\n*** SKIPPING AWS e2e tests: %s ***\n" % why)
    raise unittest.SkipTest(why)


class StandInProcess:
    """Runs the stand-in as a child process; for tests. Use as a context manager. start()
    skips the calling tests loudly (fails under CI=true) when moto is not importable."""

    def __init__(self, log_path=os.devnull):
        self.proc = None
        self.port = None
        self.log_path = log_path

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        require_moto()
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION="us-east-1")
        self._err = tempfile.TemporaryFile()  # its stderr; copied to log_path at stop()
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)],
                                     stdout=subprocess.PIPE, stderr=self._err, env=env)
        line = self.proc.stdout.readline()
        if not line.strip():
            self.stop()
            self._err.seek(0)
            tail = self._err.read().decode("utf-8", "replace").strip().splitlines()[-15:]
            raise RuntimeError("the AWS stand-in (%s %s) exited before it listened:\n%s" %
                               (sys.executable, __file__, "\n".join(tail)))
        self.port = int(line)
        self.endpoint = "http://127.0.0.1:%d" % self.port

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
        if getattr(self, "_err", None):
            if self.log_path != os.devnull:
                self._err.seek(0)
                with open(self.log_path, "ab") as log:
                    log.write(self._err.read())
            self._err.close()
            self._err = None

    def control(self, what, args=None):
        data = json.dumps(args).encode() if args is not None else None
        req = urllib.request.Request("%s/_standin/%s" % (self.endpoint, what), data=data,
                                     method="POST" if data is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def call(self, service, version, action, **params):
        """Raw Query API call (unsigned; moto does not check signatures). (status, xml)."""
        form = dict(params, Action=action, Version=version)
        auth = ("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/%s/aws4_request, "
                "SignedHeaders=host, Signature=0" % service)
        req = urllib.request.Request(self.endpoint + "/",
                                     data=urllib.parse.urlencode(form).encode(),
                                     headers={"Authorization": auth, "Content-Type":
                                              "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def elbv2(self, action, **params):
        return self.call("elasticloadbalancing", ELBV2_VERSION, action, **params)

    def ec2(self, action, **params):
        return self.call("ec2", "2016-11-15", action, **params)

    def autoscaling(self, action, **params):
        return self.call("autoscaling", "2011-01-01", action, **params)

    def eks(self, method, path, body=None):
        """Raw EKS REST call (unsigned); (status, parsed JSON)."""
        auth = ("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/eks/aws4_request, "
                "SignedHeaders=host, Signature=0")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Authorization": auth,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def cloudwatch(self, action, **params):
        """Raw CloudWatch Query call, e.g. cloudwatch("SetAlarmState", AlarmName=...)."""
        return self.call("monitoring", CLOUDWATCH_VERSION, action, **params)

    def alarm(self, name, state="OK"):
        """Creates (or updates) a metric alarm in moto and sets its state (OK, ALARM,
        INSUFFICIENT_DATA)."""
        status, xml = self.cloudwatch("PutMetricAlarm", AlarmName=name,
                                      MetricName="HTTPCode_Target_5XX_Count",
                                      Namespace="AWS/ApplicationELB", Statistic="Sum",
                                      Period="60", EvaluationPeriods="1", Threshold="1",
                                      ComparisonOperator="GreaterThanThreshold")
        if status != 200:
            raise RuntimeError(xml)
        self.set_alarm(name, state)

    def set_alarm(self, name, state):
        status, xml = self.cloudwatch("SetAlarmState", AlarmName=name, StateValue=state,
                                      StateReason="set by the test")
        if status != 200:
            raise RuntimeError(xml)


# ---- listeners, rules and CloudWatch (weighted shifts, alarm gates) ---------------------------
LISTENER_ANSWERS = ("DescribeListeners", "DescribeRules", "ModifyListener", "ModifyRule",
                    "CreateListener", "CreateRule")


def actions_of(form):
    """The actions of a ModifyListener/ModifyRule request: [{type, fields, groups}]."""
    prefix = "DefaultActions.member." if "DefaultActions.member.1.Type" in form else \
        "Actions.member."
    out, n = [], 1
    while "%s%d.Type" % (prefix, n) in form:
        p = "%s%d." % (prefix, n)
        fields = {k[len(p):]: v for k, v in form.items() if k.startswith(p)}
        groups, g = [], 1
        while "ForwardConfig.TargetGroups.member.%d.TargetGroupArn" % g in fields:
            w = fields.get("ForwardConfig.TargetGroups.member.%d.Weight" % g)
            groups.append({"arn": fields["ForwardConfig.TargetGroups.member.%d.TargetGroupArn" % g],
                           "weight": int(w) if w is not None else None})
            g += 1
        out.append({"type": fields["Type"], "fields": fields, "groups": groups})
        n += 1
    return out


def listener_log_fields(action, form):
    if action in ("ModifyListener", "ModifyRule"):
        weights = {}
        for a in actions_of(form):
            if a["type"] == "forward":
                for g in a["groups"]:
                    weights[g["arn"]] = g["weight"]
                if not a["groups"] and "TargetGroupArn" in a["fields"]:
                    weights[a["fields"]["TargetGroupArn"]] = None
        return {"resource": form.get("ListenerArn") or form.get("RuleArn"),
                "weights": weights, "params": dict(form)}
    return {}


def error_body(code, message):
    return ('<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code>'
            "<Message>%s</Message></Error><RequestId>standin-check</RequestId>"
            "</ErrorResponse>" % (NS, code, message)).encode()


def known_target_groups(arn):
    from moto.elbv2.models import elbv2_backends

    parts = arn.split(":")
    if len(parts) < 6:
        return set()
    return set(elbv2_backends[parts[4]][parts[3]].target_groups)


def check_actions(action, form):
    """AWS's own checks of the actions in a Modify call; an error document or None."""
    if action not in ("ModifyListener", "ModifyRule"):
        return None
    for a in actions_of(form):
        f = a["fields"]
        arns = [g["arn"] for g in a["groups"]] + ([f["TargetGroupArn"]] if "TargetGroupArn" in f
                                                   else [])
        if a["groups"] and "TargetGroupArn" in f and \
                (len(a["groups"]) != 1 or a["groups"][0]["arn"] != f["TargetGroupArn"]):
            return error_body("ValidationError", "You cannot specify both a target group ARN "
                              "and a forward config with other target groups")
        for g in a["groups"]:
            if g["weight"] is not None and not 0 <= g["weight"] <= 999:
                return error_body("ValidationError", "Weight must be between 0 and 999")
        for t in arns:
            if t not in known_target_groups(t):
                return error_body("TargetGroupNotFound", "Target group '%s' not found" % t)
        if a["type"] == "authenticate-oidc" and "AuthenticateOidcConfig.ClientSecret" not in f \
                and f.get("AuthenticateOidcConfig.UseExistingClientSecret") != "true":
            return error_body("ValidationError", "A client secret must be specified")
    return None


def echo_plain_forwards(body):
    """Real AWS describes a plain forward with its one-group ForwardConfig too, and keeps an
    OIDC client secret to itself; moto does neither."""
    ET.register_namespace("", NS)
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return body
    for config in root.iter(_q("AuthenticateOidcConfig")):
        for secret in config.findall(_q("ClientSecret")):
            config.remove(secret)
    for member in root.iter(_q("member")):
        if member.findtext(_q("Type")) != "forward" or member.find(_q("ForwardConfig")) is not None:
            continue
        arn = member.findtext(_q("TargetGroupArn"))
        if not arn:
            continue
        fc = ET.SubElement(member, _q("ForwardConfig"))
        tg = ET.SubElement(ET.SubElement(fc, _q("TargetGroups")), _q("member"))
        ET.SubElement(tg, _q("TargetGroupArn")).text = arn
        ET.SubElement(tg, _q("Weight")).text = "1"
        ET.SubElement(ET.SubElement(fc, _q("TargetGroupStickinessConfig")), _q("Enabled")).text = \
            "false"
    return ET.tostring(root, encoding="utf-8")



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    return serve(parser.parse_args().port)


if __name__ == "__main__":
    sys.exit(main())
