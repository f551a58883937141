"""The pull-request loop end to end: a bare git remote, an author clone that generates the
copies and pushes, fresh CI clones that run the Init / Plan / Apply / Drift steps of
examples/ci/github-actions.yml (BLUEGREEN_GENERATED_FILES=verify) with the real terraform,
the provider installed from a filesystem mirror as CI installs it, and state shared through a
local backend outside every clone."""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import yaml

from support.tfharness import (TERRAFORM, NO_METADATA, check_sanitizer_logs, require_terraform,
                               sha256_hex)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from elbv2_standin import StandInProcess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKFLOW = os.path.join(HERE, "..", "..", "examples", "ci", "github-actions.yml")
ATLANTIS = os.path.join(HERE, "..", "..", "examples", "ci", "atlantis.yaml")
TF_DIR = "envs/prod"

SPOON = """resource "terraform_data" "eks_spoon" {
  input = {
    cluster = "aws-prod-spoon"
    version = "1.15"
  }
}
"""
SPOON_NODES = """resource "terraform_data" "nodes_spoon" {
  input = terraform_data.eks_spoon.output
}
"""
KNIFE = SPOON.replace("spoon", "knife").replace("1.15", "1.18")

MAIN = """terraform {
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
  backend "local" {
    path = "%(state)s"
  }
}

provider "bluegreen" {
%(provider)s}

module "clusters" {
  source = "./clusters"
}

resource "bluegreen_cluster_pair" "prod" {
  directory     = "clusters"
  name          = "aws-prod"
  live          = "%(live)s"
  standby       = %(standby)s
  substitutions = { "1.15" = "1.18" }
}
%(extra)s"""

GITIGNORE = ".terraform/\n.terraform.lock.hcl\n*.tfstate*\n"


def workflow():
    with open(WORKFLOW) as f:
        return yaml.safe_load(f)


def git(cwd, *args):
    p = subprocess.run(["git"] + list(args), cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError("git %s failed in %s:\n%s%s" % (" ".join(args), cwd, p.stdout,
                                                             p.stderr))
    return p.stdout


class Run:
    def __init__(self, proc):
        self.code, self.out, self.err = proc.returncode, proc.stdout, proc.stderr
        self.text = proc.stdout + proc.stderr

    def __repr__(self):
        return "exit %d\n--- stdout\n%s\n--- stderr\n%s" % (self.code, self.out, self.err)


class Clone:
    """A clone of the remote with terraform run as the workflow runs it."""

    def __init__(self, tc, name):
        self.tc = tc
        self.root = os.path.join(tc.tmp, name)
        git(tc.tmp, "clone", "-q", tc.remote, self.root)
        git(self.root, "config", "user.email", "%s@example.com" % name)
        git(self.root, "config", "user.name", name)
        self.dir = os.path.join(self.root, TF_DIR)
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith(("TF_", "AWS_")) or k == "BLUEGREEN_GENERATED_FILES":
                del self.env[k]
        self.env.update(NO_METADATA)
        self.env.update({"HOME": tc.tmp, "CHECKPOINT_DISABLE": "1",
                         "TF_CLI_CONFIG_FILE": os.path.join(tc.tmp, "empty.tfrc"),
                         "BLUEGREEN_PROVIDER_MIRROR": tc.mirror})

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def write(self, rel, text):
        os.makedirs(os.path.dirname(self.path(rel)), exist_ok=True)
        with open(self.path(rel), "w") as f:
            f.write(text)

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def status(self):
        return git(self.root, "status", "--porcelain", "--untracked-files=all")

    def commit_push(self, message):
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)
        git(self.root, "push", "-q", "origin", "HEAD:main")

    def step(self, job, name, env=None):
        """Runs the `run` script of the named step of a job of the example workflow, in the
        job's working directory, with the workflow's environment, as Actions runs it."""
        wf = workflow()
        j = wf["jobs"][job]
        cwd = os.path.join(self.root, j["defaults"]["run"]["working-directory"])
        script = next(s["run"] for s in j["steps"] if s.get("name") == name)
        e = dict(self.env)
        e.update({k: str(v) for k, v in wf["env"].items()})
        e.update(env or {})
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                           cwd=cwd, env=e, capture_output=True, text=True, timeout=300)
        return Run(p)

    def ok(self, job, name):
        r = self.step(job, name)
        self.tc.assertEqual(r.code, 0, "%s/%s failed:\n%r" % (job, name, r))
        return r

    def tf(self, *args, env=None):
        e = dict(self.env)
        e.update(env or {})
        return Run(subprocess.run([TERRAFORM] + list(args), cwd=self.dir, env=e,
                                  capture_output=True, text=True, timeout=300))


def flat(text):
    """Diagnostic text as one line: terraform wraps it to the terminal width."""
    return " ".join(re.sub(r"[│╷╵]", " ", text).split())


def command_from(text):
    """The ready-to-copy command of the "Generate the files" error."""
    m = re.search(r"then commit the result:\s*\n\s*\n(?:[│ ]*)  (\S.*generate .*)\n", text)
    if m is None:
        raise AssertionError("no generate command in:\n" + text)
    return m.group(1).strip()


class PullRequests(unittest.TestCase):
    standin = None

    @classmethod
    def setUpClass(cls):
        if not TERRAFORM or not os.environ.get("BG_BUILD_DIR"):
            return
        cls.mirror = tempfile.mkdtemp(prefix="bg-e2e-mirror-")
        subprocess.run(["cmake", "--install", os.environ["BG_BUILD_DIR"], "--prefix",
                        cls.mirror], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "mirror", None):
            shutil.rmtree(cls.mirror, True)
        if cls.standin is not None:
            cls.standin.stop()

    def setUp(self):
        require_terraform(self)
        if not os.environ.get("BG_BUILD_DIR"):
            self.fail("BG_BUILD_DIR (the CMake build) is needed to lay out the mirror")
        self.tmp = tempfile.mkdtemp(prefix="bg-e2e-pr-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.addCleanup(check_sanitizer_logs, self)  # the mirror holds the build under test
        open(os.path.join(self.tmp, "empty.tfrc"), "w").close()
        self.remote = os.path.join(self.tmp, "remote.git")
        git(self.tmp, "init", "-q", "--bare", "-b", "main", self.remote)
        self.state = os.path.join(self.tmp, "state", "terraform.tfstate")
        os.makedirs(os.path.dirname(self.state))

    def main_tf(self, live="spoon", standby="true", provider="", extra=""):
        return MAIN % {"state": self.state, "live": live, "standby": standby,
                       "provider": provider, "extra": extra}

    def author_opens_duplicate_pr(self, provider="", extra=""):
        """The author adds the pair, copies the generate command the verify-mode plan
        prints, runs it, and pushes the copies with the change."""
        a = Clone(self, "author-%d" % time.monotonic_ns())
        a.write("../../.gitignore", GITIGNORE)
        a.write("clusters/aws-prod-spoon.tf", SPOON)
        a.write("clusters/aws-prod-spoon-nodes.tf", SPOON_NODES)
        a.write("main.tf", self.main_tf(provider=provider, extra=extra))
        a.ok("plan", "Init")
        r = a.step("plan", "Plan")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("Generated file missing", r.text)
        self.assertIn("clusters/aws-prod-knife.tf is the copy of clusters/aws-prod-spoon.tf",
                      flat(r.text))
        cmd = command_from(r.text)
        p = subprocess.run(["sh", "-c", cmd], cwd=a.dir, env=a.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, "%s\n%s%s" % (cmd, p.stdout, p.stderr))
        self.assertIn("wrote clusters/aws-prod-knife.tf", p.stdout)
        self.assertEqual(a.read("clusters/aws-prod-knife.tf"), KNIFE)
        a.commit_push("duplicate aws-prod-spoon as aws-prod-knife (1.18)")
        return a

    def merged(self, provider="", extra=""):
        """Duplicate + create merged and applied; returns the CI clone that applied."""
        self.author_opens_duplicate_pr(provider, extra)
        ci = Clone(self, "ci-merge-%d" % time.monotonic_ns())
        ci.ok("apply", "Init")
        ci.ok("apply", "Apply")
        return ci

    def test_duplicate_and_create_is_one_pull_request_whose_plan_shows_the_new_cluster(self):
        self.author_opens_duplicate_pr()
        ci = Clone(self, "ci")
        before = ci.status()
        ci.ok("plan", "Init")
        r = ci.ok("plan", "Plan")
        self.assertIn("module.clusters.terraform_data.eks_knife will be created", r.out)
        self.assertIn("bluegreen_cluster_pair.prod will be created", r.out)
        self.assertRegex(r.out, r'\+ "clusters/aws-prod-knife\.tf" += <<-EOT')
        self.assertIn('cluster = "aws-prod-knife"', r.out, "the plan shows the copy's text")
        self.assertEqual(ci.status(), before, "verify mode writes nothing")
        ci.ok("apply", "Apply")
        self.assertEqual(ci.status(), before, "nor does the apply")
        r = ci.tf("plan", "-detailed-exitcode", "-no-color",
                  env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.assertEqual(r.code, 0, "empty plan after the merge:\n%r" % r)

    def test_a_pull_request_missing_a_copy_is_refused_by_name_and_plans_no_destroy(self):
        self.merged()
        a = Clone(self, "author2")
        os.unlink(a.path("clusters/aws-prod-knife-nodes.tf"))
        a.commit_push("oops: a copy got lost in a rebase")
        ci = Clone(self, "ci2")
        ci.ok("plan", "Init")
        r = ci.step("plan", "Plan")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("Generated file missing", r.text)
        self.assertIn("clusters/aws-prod-knife-nodes.tf is the copy of "
                      "clusters/aws-prod-spoon-nodes.tf", flat(r.text))
        self.assertIn("generate --directory clusters --name aws-prod --live spoon", r.text)
        # Terraform lists what it planned before the error, but there is no plan: the merge
        # of this change cannot apply it, and the new cluster stays.
        r = ci.step("apply", "Apply")
        self.assertNotEqual(r.code, 0, r)
        self.assertNotIn("Destruction complete", r.text)
        self.assertIn("module.clusters.terraform_data.nodes_knife",
                      ci.tf("state", "list").out)

    def test_a_hand_altered_copy_is_refused_and_terraform_fmt_is_no_edit(self):
        self.merged()
        a = Clone(self, "author3")
        a.write("clusters/aws-prod-knife.tf", KNIFE.replace("1.18", "1.19"))
        a.commit_push("hotfix on the copy")
        ci = Clone(self, "ci3")
        ci.ok("plan", "Init")
        r = ci.step("plan", "Plan")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("Generated file differs from its rendering", r.text)
        self.assertIn("clusters/aws-prod-knife.tf differs from the copy of "
                      "clusters/aws-prod-spoon.tf", flat(r.text))
        # A copy differing only in layout is no edit: the plan records it as it is (an
        # update of the pair that writes nothing), and once terraform fmt (a pre-commit hook)
        # lays it out again the plan is empty.
        a.write("clusters/aws-prod-knife.tf", KNIFE.replace("  input = {", "  input    =   {"))
        a.commit_push("revert, with odd spacing")
        ci = Clone(self, "ci4")
        ci.ok("plan", "Init")
        r = ci.tf("plan", "-detailed-exitcode", "-no-color",
                  env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.assertEqual(r.code, 2, r)
        self.assertNotIn("Error", r.text)
        self.assertIn("bluegreen_cluster_pair.prod will be updated in-place", r.out)
        self.assertNotIn("# module.clusters", r.out, "no cluster resource changes")
        r = ci.tf("fmt", "clusters")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(ci.read("clusters/aws-prod-knife.tf"), KNIFE)
        r = ci.tf("plan", "-detailed-exitcode", "-no-color",
                  env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.assertEqual(r.code, 0, r)

    def test_teardown_and_destroy_is_one_pull_request(self):
        self.merged()
        a = Clone(self, "author-promote")
        a.write("main.tf", self.main_tf(live="knife"))
        a.commit_push("promote knife")
        ci = Clone(self, "ci-promote")
        ci.ok("plan", "Init")
        r = ci.ok("plan", "Plan")
        self.assertRegex(r.out, r'~ live +"?= "spoon" -> "knife"')
        self.assertNotIn("-> null", r.out, "a promotion changes no file")
        ci.ok("apply", "Apply")
        # teardown: the change and the deletion of the old cluster's files, in one PR
        a = Clone(self, "author-teardown")
        a.write("main.tf", self.main_tf(live="knife", standby="false"))
        a.ok("plan", "Init")
        r = a.step("plan", "Plan")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("Generated file must be deleted", r.text)
        cmd = command_from(r.text)
        self.assertIn("--standby false", cmd)
        p = subprocess.run(["sh", "-c", cmd], cwd=a.dir, env=a.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(a.path("clusters/aws-prod-spoon.tf")))
        a.commit_push("tear aws-prod-spoon down")
        ci = Clone(self, "ci-teardown")
        ci.ok("plan", "Init")
        r = ci.ok("plan", "Plan")
        self.assertIn("module.clusters.terraform_data.eks_spoon will be destroyed", r.out)
        self.assertRegex(r.out, r'- "clusters/aws-prod-spoon\.tf" += "%s" -> null'
                         % sha256_hex(SPOON))
        self.assertNotIn("aws-prod-knife.tf\" = ", r.out.split("Plan:")[0].split(
            "bluegreen_cluster_pair.prod will be updated")[-1].split("files")[0])
        ci.ok("apply", "Apply")
        r = ci.tf("plan", "-detailed-exitcode", "-no-color",
                  env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.assertEqual(r.code, 0, r)

    def test_nightly_drift_job_fails_after_a_hand_change_to_the_target_group(self):
        if PullRequests.standin is None:
            PullRequests.standin = StandInProcess(os.devnull)
            PullRequests.standin.start()
        s = PullRequests.standin
        s.control("reset", {})
        status, xml = s.ec2("CreateVpc", CidrBlock="10.0.0.0/16")
        vpc = re.search(r"<vpcId>(.*?)</vpcId>", xml).group(1)
        status, xml = s.elbv2("CreateTargetGroup", Name="tg-drift", Protocol="HTTP", Port="80",
                              VpcId=vpc, TargetType="ip")
        self.assertEqual(status, 200, xml)
        arn = re.search(r"<TargetGroupArn>(.*?)</TargetGroupArn>", xml).group(1)
        provider = ('  region     = "us-east-1"\n  access_key = "testing"\n'
                    '  secret_key = "testing"\n  endpoints {\n    elbv2 = "%s"\n  }\n'
                    % s.endpoint)
        shift = ('resource "bluegreen_traffic_shift" "ingress" {\n'
                 '  target_group_arn = "%s"\n  from_targets = [{ id = "10.0.0.1" }]\n'
                 '  to_targets = [{ id = "10.0.1.1" }, { id = "10.0.1.2" }]\n'
                 '  soak_seconds = 0\n  poll_interval_seconds = 1\n}\n' % arn)
        ci = self.merged(provider=provider, extra=shift)
        r = ci.step("drift", "Drift")
        self.assertEqual(r.code, 0, "no drift right after the apply:\n%r" % r)
        status, xml = s.elbv2("DeregisterTargets", TargetGroupArn=arn,
                              **{"Targets.member.1.Id": "10.0.1.2"})
        self.assertEqual(status, 200, xml)
        r = ci.step("drift", "Drift")
        self.assertEqual(r.code, 2, "the drift job fails with plan's exit 2:\n%r" % r)
        self.assertIn("::error::drift", r.text)
        self.assertIn("10.0.1.2", r.out, "the plan shows the walk that restores the target")


class Examples(unittest.TestCase):
    def test_the_workflow_sets_verify_mode_and_plans_applies_and_checks_drift(self):
        wf = workflow()
        self.assertEqual(wf["env"]["BLUEGREEN_GENERATED_FILES"], "verify")
        triggers = wf[True]  # YAML 1.1 reads the key `on` as true
        self.assertIn("pull_request", triggers)
        self.assertEqual(triggers["push"]["branches"], ["main"])
        self.assertIn("cron", triggers["schedule"][0])
        self.assertEqual(wf["jobs"]["plan"]["if"], "github.event_name == 'pull_request'")
        self.assertEqual(wf["jobs"]["apply"]["if"], "github.event_name == 'push'")
        drift = next(s["run"] for s in wf["jobs"]["drift"]["steps"] if s.get("name") == "Drift")
        self.assertIn("-detailed-exitcode", drift)

    def test_the_atlantis_config_plans_and_applies_in_verify_mode(self):
        with open(ATLANTIS) as f:
            cfg = yaml.safe_load(f)
        self.assertEqual(cfg["version"], 3)
        project = cfg["projects"][0]
        self.assertEqual(project["dir"], TF_DIR)
        self.assertTrue(project["autoplan"]["enabled"])
        self.assertIn("clusters/*.tf", project["autoplan"]["when_modified"])
        wf = cfg["workflows"][project["workflow"]]
        for stage in ("plan", "apply"):
            envs = [s["env"] for s in wf[stage]["steps"] if isinstance(s, dict) and "env" in s]
            self.assertIn({"name": "BLUEGREEN_GENERATED_FILES", "value": "verify"}, envs, stage)
        self.assertIn(stage, wf[stage]["steps"])


if __name__ == "__main__":
    unittest.main()
