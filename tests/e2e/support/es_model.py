"""A small model of an Elasticsearch cluster for the Kubernetes stand-in (k8s_standin.py).

The nodes are the ready pods of the Elasticsearch statefulsets, in either cluster: the data
lives on EBS volumes that follow a pod's ordinal, so elastic-data-3 in the new cluster holds
what elastic-data-3 held in the old one. One index with 2 primaries per data node and one
replica each: primary k lives on data node k % D, its replica on (k + 1) % D.

What the model does per tick (driven by the stand-in's world tick):
* a copy whose node is absent becomes UNASSIGNED; a primary whose node left is replaced by
  its started replica (promotion), as Elasticsearch does;
* a copy on a present node recovers from its local data in `recovery_ticks` ticks
  (INITIALIZING, then STARTED): primaries always (local primary recovery is not subject to
  cluster.routing.allocation.enable), replicas only when allocation is `all` (the default,
  i.e. the setting is null);
* with allocation `all`, a replica whose node has been absent for `reallocate_ticks` is
  rebuilt on another data node (counted in `reallocations`): exactly what disabling
  allocation before a restart prevents;
* health: red when some shard has no started primary, yellow when a replica is not started,
  green otherwise; masters must have a quorum (a majority of the master statefulset's
  declared size) or every API answers 503 master_not_discovered_exception.

The REST subset (paths as in the Elasticsearch reference):
  GET  /_cluster/health                     status, number_of_nodes, shard counts
  GET  /_cluster/settings[?flat_settings=true]
  PUT  /_cluster/settings  {"persistent": {"cluster.routing.allocation.enable": "primaries"|null}}
  POST /_flush
  GET  /_cat/allocation?format=json          shards per node (strings, as _cat answers)
  GET  /_cat/nodes?format=json               name, node.role, master
Faults: `stuck_replicas` (that many replica copies never recover: health never green),
`require_auth` ({"username", "password"} or {"api_key"}: 401 security_exception without it).
"""
import base64
import json

ALLOCATION_KEY = "cluster.routing.allocation.enable"
ALLOCATION_VALUES = ("all", "primaries", "new_primaries", "none")


class Copy:
    def __init__(self, shard, primary, node):
        self.shard = shard
        self.primary = primary
        self.node = node  # data ordinal whose volume holds the copy
        self.state = "STARTED"
        self.since = 0  # tick when the current state began
        self.absent_since = None


class ESModel:
    def __init__(self, cfg):
        self.namespace = cfg.get("namespace", "elasticsearch")
        self.service = cfg.get("service", "elastic-master")
        self.port = int(cfg.get("port", 9200))
        self.masters = cfg.get("masters", "elastic-master")
        self.data = cfg.get("data", "elastic-data")
        self.members = cfg.get("statefulsets", [self.masters, self.data])
        self.data_count = int(cfg.get("data_nodes", 3))
        self.master_count = int(cfg.get("master_nodes", 3))
        self.recovery_ticks = int(cfg.get("recovery_ticks", 2))
        self.reallocate_ticks = int(cfg.get("reallocate_ticks", 3))
        self.stuck = int(cfg.get("stuck_replicas", 0))
        self.auth = cfg.get("require_auth")
        self.persistent = {}
        self.transient = {}
        self.flushes = 0
        self.reallocations = 0
        self.tick_no = 0
        self.copies = []
        for k in range(2 * self.data_count):
            self.copies.append(Copy(k, True, k % self.data_count))
            self.copies.append(Copy(k, False, (k + 1) % self.data_count))
        self.set_stuck(self.stuck)

    def set_stuck(self, n):
        """The first n replica copies never recover (health never green)."""
        self.stuck = n
        for i, c in enumerate([c for c in self.copies if not c.primary]):
            c.stuck = i < n

    # ---- the world ---------------------------------------------------------------------
    def nodes(self, world):
        """Ready Elasticsearch pods of any cluster: [(name, role, ordinal)]."""
        out = []
        for pod in world.all_pods():
            if pod.namespace != self.namespace or pod.sts not in self.members or not pod.ready:
                continue
            role = "m" if pod.sts == self.masters else "d" if pod.sts == self.data else "-"
            out.append((pod.name, role, pod.ordinal))
        return sorted(out)

    def quorum(self, world):
        masters = sum(1 for n in self.nodes(world) if n[1] == "m")
        return masters >= self.master_count // 2 + 1

    def allocation(self):
        return self.persistent.get(ALLOCATION_KEY) or self.transient.get(ALLOCATION_KEY) or "all"

    def tick(self, world):
        self.tick_no += 1
        present = {n[2] for n in self.nodes(world) if n[1] == "d"}
        quorum = self.quorum(world)
        for c in self.copies:
            self.tick_copy(c, present, quorum)
        self.promote(present)

    def tick_copy(self, c, present, quorum):
        now = self.tick_no
        if c.node not in present:
            if c.state != "UNASSIGNED":
                c.state, c.since, c.absent_since = "UNASSIGNED", now, now
            if (not c.primary and self.allocation() == "all" and quorum and present and
                    c.absent_since is not None and now - c.absent_since >= self.reallocate_ticks
                    and not getattr(c, "stuck", False)):
                others = sorted(present - {self.primary_node(c.shard)})
                if others:
                    c.node, c.state, c.since, c.absent_since = others[0], "INITIALIZING", now, None
                    self.reallocations += 1
            return
        c.absent_since = None
        if not quorum or getattr(c, "stuck", False):
            return
        if c.state == "UNASSIGNED" and (c.primary or self.allocation() == "all"):
            c.state, c.since = "INITIALIZING", now
        elif c.state == "INITIALIZING" and now - c.since >= self.recovery_ticks:
            c.state, c.since = "STARTED", now

    def primary_node(self, shard):
        for c in self.copies:
            if c.shard == shard and c.primary:
                return c.node
        return None

    def promote(self, present):
        """A shard without a started primary gets one on a present node holding an in-sync
        copy (a started replica is promoted; with allocation `primaries` or `all`, a copy on
        a rejoined node is allocated as the primary)."""
        for shard in {c.shard for c in self.copies}:
            group = [c for c in self.copies if c.shard == shard]
            p = next(c for c in group if c.primary)
            if p.state == "STARTED" or p.node in present:
                continue
            r = next((c for c in group if not c.primary and c.state == "STARTED"), None)
            if r is None and self.allocation() in ("all", "primaries"):
                r = next((c for c in group if not c.primary and c.node in present), None)
            if r is not None:
                p.primary, r.primary = False, True

    # ---- health ------------------------------------------------------------------------
    def health(self, world):
        nodes = self.nodes(world)
        primaries = [c for c in self.copies if c.primary]
        started = [c for c in self.copies if c.state == "STARTED"]
        status = "green"
        if any(c.state != "STARTED" for c in self.copies if not c.primary):
            status = "yellow"
        if any(c.state != "STARTED" for c in primaries):
            status = "red"
        total = len(self.copies)
        return {
            "cluster_name": "logging",
            "status": status,
            "timed_out": False,
            "number_of_nodes": len(nodes),
            "number_of_data_nodes": sum(1 for n in nodes if n[1] == "d"),
            "active_primary_shards": sum(1 for c in primaries if c.state == "STARTED"),
            "active_shards": len(started),
            "relocating_shards": 0,
            "initializing_shards": sum(1 for c in self.copies if c.state == "INITIALIZING"),
            "unassigned_shards": sum(1 for c in self.copies if c.state == "UNASSIGNED"),
            "delayed_unassigned_shards": 0,
            "number_of_pending_tasks": 0,
            "number_of_in_flight_fetch": 0,
            "task_max_waiting_in_queue_millis": 0,
            "active_shards_percent_as_number": 100.0 * len(started) / total if total else 100.0,
        }

    def allocation_rows(self, world):
        names = {n[2]: n[0] for n in self.nodes(world) if n[1] == "d"}
        rows = []
        for ordinal, name in sorted(names.items()):
            n = sum(1 for c in self.copies if c.node == ordinal and c.state != "UNASSIGNED")
            rows.append({"shards": str(n), "disk.indices": "%db" % (n * 1024), "host": "10.0.0.%d"
                         % (10 + ordinal), "ip": "10.0.0.%d" % (10 + ordinal), "node": name})
        unassigned = sum(1 for c in self.copies if c.state == "UNASSIGNED")
        if unassigned:
            rows.append({"shards": str(unassigned), "disk.indices": None, "host": None,
                         "ip": None, "node": "UNASSIGNED"})
        return rows

    # ---- REST --------------------------------------------------------------------------
    def authorized(self, headers):
        if not self.auth:
            return True
        got = headers.get("authorization", "")
        if "api_key" in self.auth:
            return got == "ApiKey " + self.auth["api_key"]
        want = base64.b64encode(("%s:%s" % (self.auth["username"],
                                            self.auth["password"])).encode()).decode()
        return got == "Basic " + want

    def handle(self, world, method, path, query, headers, body):
        """(status, json document) for one request that reached a node."""
        if not self.authorized(headers):
            return 401, error("security_exception", "missing authentication credentials for "
                              "REST request [%s]" % path, 401)
        if not self.quorum(world):
            return 503, error("master_not_discovered_exception", None, 503)
        route = (method, path.rstrip("/") or "/")
        if route == ("GET", "/_cluster/health"):
            return 200, self.health(world)
        if route == ("GET", "/_cluster/settings"):
            return 200, self.settings_doc(query.get("flat_settings") == "true")
        if route == ("PUT", "/_cluster/settings"):
            return self.put_settings(body)
        if route in (("POST", "/_flush"), ("GET", "/_flush")):
            if body:
                return 400, error("illegal_argument_exception", "request [%s] does not support "
                                  "having a body" % path, 400)
            self.flushes += 1
            n = sum(1 for c in self.copies if c.state == "STARTED")
            return 200, {"_shards": {"total": len(self.copies), "successful": n, "failed": 0}}
        if route == ("GET", "/_cat/allocation"):
            return 200, self.allocation_rows(world)
        if route == ("GET", "/_cat/nodes"):
            return 200, [{"name": n[0], "node.role": {"m": "m", "d": "d", "-": "-"}[n[1]],
                          "master": "*" if n[1] == "m" and i == 0 else "-"}
                         for i, n in enumerate(self.nodes(world))]
        return 400, error("illegal_argument_exception", "request [%s] contains unrecognized "
                          "route %s" % (path, method), 400)

    def settings_doc(self, flat):
        def shape(d):
            if flat:
                return dict(d)
            out = {}
            for k, v in d.items():
                cur = out
                parts = k.split(".")
                for p in parts[:-1]:
                    cur = cur.setdefault(p, {})
                cur[parts[-1]] = v
            return out
        return {"persistent": shape(self.persistent), "transient": shape(self.transient)}

    def put_settings(self, body):
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return 400, error("parse_exception", "request body is required", 400)
        if not isinstance(doc, dict) or not ({"persistent", "transient"} & set(doc)):
            return 400, error("action_request_validation_exception",
                              "Validation Failed: 1: no settings to update;", 400)
        for scope, target in (("persistent", self.persistent), ("transient", self.transient)):
            for k, v in flatten(doc.get(scope) or {}).items():
                if k != ALLOCATION_KEY:
                    return 400, error("illegal_argument_exception",
                                      "persistent setting [%s], not recognized" % k, 400)
                if v is None:
                    target.pop(k, None)
                elif v in ALLOCATION_VALUES:
                    target[k] = v
                else:
                    return 400, error("illegal_argument_exception",
                                      "Illegal allocation.enable value [%s]" % str(v).upper(), 400)
        out = {"acknowledged": True}
        out.update(self.settings_doc(False))
        return 200, out

    def snapshot(self, world):
        return {"persistent": dict(self.persistent), "flushes": self.flushes,
                "reallocations": self.reallocations, "health": self.health(world),
                "allocation": self.allocation_rows(world)}


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def error(kind, reason, status):
    cause = {"type": kind, "reason": reason}
    return {"error": {"root_cause": [cause], "type": kind, "reason": reason}, "status": status}
