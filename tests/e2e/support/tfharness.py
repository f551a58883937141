"""Drive the real terraform binary against the provider under test.

Each Workspace is a fresh temporary directory (a git repository, so the provider's default
repository root is that directory) with its own CLI configuration:
  - dev_overrides pointing at the provider binary (no init needed), or
  - a filesystem mirror laid out by `cmake --install` (see Workspace.init_from_mirror).

Environment read:
  BG_PROVIDER_BINARY   the provider to test (set by CTest)
  BG_PROVIDER_WRAPPER  optional command prefix (e.g. valgrind) the provider runs under
  BG_SANITIZER_LOGS    optional directory where ASan/UBSan/valgrind write reports
  CI                   when "true", a missing terraform fails the suite instead of skipping
"""
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

TERRAFORM = shutil.which("terraform")
# In every workspace: no instance metadata, and (provider-internal guard) no credential
# endpoint off 127.0.0.0/8 - so no chain can fall through to 169.254.169.254/169.254.170.2.
NO_METADATA = {"AWS_EC2_METADATA_DISABLED": "true", "BG_AWS_INTERNAL_LOOPBACK_ONLY": "1"}
PROVIDER = os.environ.get("BG_PROVIDER_BINARY", "")
SOURCE = "spoonknife/bluegreen"
REQUIRED = """terraform {
  required_providers {
    bluegreen = { source = "spoonknife/bluegreen" }
  }
}
"""


def require_terraform(testcase):
    """Skip loudly without terraform; under CI=true a missing terraform is a failure."""
    if TERRAFORM and PROVIDER and os.path.exists(PROVIDER):
        return
    why = "terraform not on PATH" if not TERRAFORM else "BG_PROVIDER_BINARY not built"
    if os.environ.get("CI") == "true":
        testcase.fail("e2e tests cannot run under CI=true: " + why)
    sys.stderr.write("\n*** SKIPPING e2e test: %s ***\n" % why)
    raise unittest.SkipTest(why)


def check_sanitizer_logs(testcase):
    """Fails the test when the provider left an ASan/UBSan report or a valgrind log with
    errors or definite leaks in BG_SANITIZER_LOGS (each report is consumed once)."""
    d = os.environ.get("BG_SANITIZER_LOGS")
    if not d or not os.path.isdir(d):
        return
    problems = []
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.endswith(".seen"):
            continue
        with open(p, errors="replace") as f:
            text = f.read()
        os.rename(p, p + ".seen")
        if name.startswith("vg."):
            bad = ("ERROR SUMMARY: 0 errors" not in text or
                   ("definitely lost:" in text and "definitely lost: 0 bytes" not in text))
        else:
            bad = bool(text.strip())
        if bad:
            problems.append("%s:\n%s" % (name, text[-4000:]))
    if problems:
        testcase.fail("provider sanitizer reports:\n" + "\n".join(problems))


def provider_children(pid):
    """Pids of the provider processes whose parent is pid (a terraform), read from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid and "(terraform-provi" in stat:
            out.append(int(entry))
    return out


def provider_pid(testcase, terraform_pid):
    """The provider terraform_pid runs; fails testcase when it runs none."""
    pids = provider_children(terraform_pid)
    if not pids:
        testcase.fail("provider process not found")
    return pids[0]


def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()


def _provider_dir(root):
    """A directory holding the provider under its canonical name (wrapped if asked)."""
    d = os.path.join(root, ".provider")
    os.makedirs(d, exist_ok=True)
    target = os.path.join(d, "terraform-provider-bluegreen")
    wrapper = os.environ.get("BG_PROVIDER_WRAPPER", "").strip()
    if wrapper:
        with open(target, "w") as f:
            f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (wrapper, PROVIDER))
        os.chmod(target, 0o755)
    else:
        os.symlink(PROVIDER, target)
    return d


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def text(self):
        return self.out + self.err

    def __repr__(self):
        return "exit %d\n--- stdout\n%s\n--- stderr\n%s" % (self.code, self.out, self.err)


class Workspace:
    def __init__(self, testcase, name="ws"):
        self.tc = testcase
        self.root = tempfile.mkdtemp(prefix="bg-e2e-%s-" % name)
        testcase.addCleanup(shutil.rmtree, self.root, True)
        subprocess.run(["git", "init", "-q", self.root], check=True)
        self.cliconfig = os.path.join(self.root, ".terraformrc")
        provider_dir = _provider_dir(self.root)
        with open(self.cliconfig, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "%s" = "%s"\n  }\n'
                    '  direct {}\n}\n' % (SOURCE, provider_dir))
        self.env = dict(os.environ)
        self.env.update({
            "TF_CLI_CONFIG_FILE": self.cliconfig,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0",
        })
        for k in ("TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PATH"):
            self.env.pop(k, None)
        self.env.update(NO_METADATA)
        testcase.addCleanup(check_sanitizer_logs, testcase)

    def isolate_aws(self):
        """Drops the developer's AWS settings and shared files (HOME is the workspace), and
        keeps the credential chain off the instance metadata address: a provider that finds
        no credentials must never try 169.254.169.254 from a test."""
        self.env["HOME"] = self.root
        for k in list(self.env):
            if k.startswith("AWS_"):
                del self.env[k]
        self.env.update(NO_METADATA)

    # -- files ------------------------------------------------------------------------------
    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, text):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        return p

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def exists(self, rel):
        return os.path.lexists(self.path(rel))

    def listdir(self, rel="."):
        return sorted(n for n in os.listdir(self.path(rel)) if not n.startswith("."))

    def snapshot(self, rel="."):
        """{name: (sha256, mtime_ns)} of the regular files directly in rel."""
        out = {}
        for n in self.listdir(rel):
            p = os.path.join(self.path(rel), n)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out[n] = (sha256_hex(f.read()), st.st_mtime_ns)
        return out

    def main_tf(self, body, provider='provider "bluegreen" {}\n'):
        self.write("main.tf", REQUIRED + provider + body)

    # -- terraform --------------------------------------------------------------------------
    def tf(self, *args, timeout=300, env=None):
        e = dict(self.env)
        if env:
            e.update(env)
        proc = subprocess.run([TERRAFORM] + list(args), cwd=self.root, env=e,
                              capture_output=True, text=True, timeout=timeout)
        return Result(proc)

    def ok(self, *args, **kw):
        r = self.tf(*args, **kw)
        self.tc.assertEqual(r.code, 0, "terraform %s failed:\n%r" % (" ".join(args), r))
        return r

    def fails(self, *args, **kw):
        r = self.tf(*args, **kw)
        self.tc.assertNotEqual(r.code, 0, "terraform %s should fail:\n%r" % (" ".join(args), r))
        return r

    def apply(self, *extra):
        return self.ok("apply", "-auto-approve", "-no-color", *extra)

    def plan_exitcode(self, *extra):
        """terraform plan -detailed-exitcode: 0 no changes, 2 changes, 1 error."""
        return self.tf("plan", "-detailed-exitcode", "-no-color", *extra)

    def assert_no_changes(self):
        r = self.plan_exitcode()
        self.tc.assertEqual(r.code, 0, "expected an empty plan:\n%r" % r)

    def state_values(self, address):
        import json
        r = self.ok("show", "-json")
        doc = json.loads(r.out)
        for res in doc.get("values", {}).get("root_module", {}).get("resources", []):
            if res["address"] == address:
                return res["values"]
        return None
