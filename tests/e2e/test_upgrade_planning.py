"""bluegreen_upgrade_path and bluegreen_deprecated_apis end to end with the real terraform
binary: values in the plan, the reference case, diagnostics at the attribute, fail_on_findings,
postconditions, and the runnable example in examples/terraform/upgrade-planning."""
import json
import os
import re
import shutil
import unittest

from support.tfharness import Workspace, require_terraform

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "terraform", "upgrade-planning")

REFERENCE = """
data "bluegreen_upgrade_path" "eks" {
  kubernetes_from = "1.15"
  kubernetes_to   = "1.18"
  istio_from      = "1.4"
  istio_to        = "1.8"
  clusters        = 7
  as_of           = "2020-06-01"
}
"""

REFERENCE_STEPS = [
    ("istio", "1.4", "1.5"),
    ("istio", "1.5", "1.6"),
    ("kubernetes", "1.15", "1.16"),
    ("istio", "1.6", "1.7"),
    ("istio", "1.7", "1.8"),
    ("kubernetes", "1.16", "1.17"),
    ("kubernetes", "1.17", "1.18"),
]

# Line 3 is the Deployment's apiVersion; the comment above it must not count.
APP_YAML = """# was: apiVersion: extensions/v1beta1
# kind: Deployment
apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: web
---
apiVersion: v1
kind: Service
metadata:
  name: web
"""

COUNT_OUTPUT = 'output "n" { value = data.bluegreen_deprecated_apis.scan.finding_count }\n'


def path_block(**args):
    body = "".join('  %s = %s\n' % (k, v) for k, v in args.items())
    return 'data "bluegreen_upgrade_path" "eks" {\n%s}\n' % body


def apis_block(name="scan", extra="", directory="k8s", version="1.25"):
    return ('data "bluegreen_deprecated_apis" "%s" {\n  directory          = "%s"\n'
            '  kubernetes_version = "%s"\n%s}\n' % (name, directory, version, extra))


def diag_blocks(text):
    """The diagnostics of a -no-color run: list of (severity, summary, body)."""
    parts = re.split(r"^(Error|Warning): (.*)$", text, flags=re.M)
    return [(parts[i], parts[i + 1].strip(), parts[i + 2]) for i in range(1, len(parts) - 2, 3)]


class Case(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "upgrade")

    def diag(self, result, severity, summary):
        """The body of the first diagnostic with that severity and summary prefix."""
        blocks = diag_blocks(result.text)
        for sev, summ, body in blocks:
            if sev == severity and summ.startswith(summary):
                return body
        self.fail("no %s %r in:\n%r" % (severity, summary, result))

    def assert_diag_at(self, result, summary, attribute, detail, severity="Error"):
        """The diagnostic quotes the configuration line of `attribute` (Terraform prints the
        source line the diagnostic's attribute path points at) and contains `detail`."""
        body = self.diag(result, severity, summary)
        self.assertRegex(body, r"(?m)^\s*\d+:\s+%s\s+=" % re.escape(attribute), body)
        self.assertIn(detail, " ".join(body.split()))
        return body

    def outputs(self):
        r = self.ws.ok("output", "-json")
        return {k: v["value"] for k, v in json.loads(r.out).items()}


class UpgradePath(Case):
    def test_plan_shows_both_data_sources_values(self):
        ws = self.ws
        ws.write("k8s/app.yaml", APP_YAML)
        ws.main_tf(REFERENCE + apis_block() + """
output "step_count" { value = data.bluegreen_upgrade_path.eks.step_count }
output "total_upgrades" { value = data.bluegreen_upgrade_path.eks.total_upgrades }
output "strategy" { value = data.bluegreen_upgrade_path.eks.strategy }
output "removed" {
  value = [for f in data.bluegreen_deprecated_apis.scan.findings : "${f.file}:${f.line} ${f.kind}"]
}
""")
        r = ws.ok("plan", "-no-color")
        self.assertRegex(r.out, r'\+ step_count\s+= 7\n')
        self.assertRegex(r.out, r'\+ total_upgrades\s+= 49\n')
        self.assertRegex(r.out, r'\+ strategy\s+= "blue_green"\n')
        self.assertIn('"k8s/app.yaml:3 Deployment"', r.out)

    def test_reference_case_gives_seven_steps_and_49_upgrades(self):
        ws = self.ws
        ws.main_tf(REFERENCE + 'output "path" { value = data.bluegreen_upgrade_path.eks }\n')
        ws.apply()
        p = self.outputs()["path"]
        self.assertEqual(p["step_count"], 7)
        self.assertEqual(p["total_upgrades"], 49)
        self.assertEqual(p["strategy"], "blue_green")
        self.assertEqual([(s["component"], s["from"], s["to"]) for s in p["steps"]],
                         REFERENCE_STEPS)
        self.assertIn("49 upgrades across 7 clusters", p["reason"])
        self.assertTrue(any("Mixer" in b for b in p["breaking_changes"]), p["breaking_changes"])
        self.assertEqual(p["istio_method"], "canary", "defaults are echoed")
        self.assertEqual(p["max_in_place_steps"], 2)
        self.assertEqual([s["version"] for s in p["support"]], ["1.15", "1.16", "1.17", "1.18"])
        self.assertIsNone(p["support"][0]["end_of_extended_support"])
        self.assertEqual(p["support"][0]["extended_support"], "not offered")
        self.assertRegex(p["support"][0]["standard_support"], r"^\d+ days remaining$")

    def test_kubernetes_only_short_path_is_in_place(self):
        ws = self.ws
        ws.main_tf(path_block(kubernetes_from='"1.27"', kubernetes_to='"1.28"') +
                   'output "path" { value = data.bluegreen_upgrade_path.eks }\n')
        ws.apply()
        p = self.outputs()["path"]
        self.assertEqual([(s["component"], s["from"], s["to"]) for s in p["steps"]],
                         [("kubernetes", "1.27", "1.28")])
        self.assertEqual((p["step_count"], p["total_upgrades"]), (1, 1))
        self.assertEqual(p["strategy"], "in_place")
        self.assertRegex(p["as_of"], r"^\d{4}-\d{2}-\d{2}$", "the date used is returned")

    def test_target_out_of_standard_support_warns_at_kubernetes_to(self):
        ws = self.ws
        ws.main_tf(path_block(kubernetes_from='"1.17"', kubernetes_to='"1.18"',
                              as_of='"2024-01-01"'))
        r = ws.ok("plan", "-no-color")
        self.assert_diag_at(r, "Target version is out of EKS standard support", "kubernetes_to",
                            "EKS standard support for Kubernetes 1.18 ended 2022-03-31",
                            severity="Warning")

    def test_postcondition_on_the_data_source_fails_the_plan(self):
        ws = self.ws
        ws.main_tf(REFERENCE.replace('  as_of', """  lifecycle {
    postcondition {
      condition     = self.strategy == "in_place"
      error_message = "Do this upgrade blue-green: ${self.reason}."
    }
  }
  as_of""", 1))
        r = ws.fails("plan", "-no-color")
        body = self.diag(r, "Error", "Resource postcondition failed")
        self.assertIn("Do this upgrade blue-green: 7 sequential", " ".join(body.split()))

    def test_postcondition_on_terraform_data_sees_the_result(self):
        ws = self.ws
        ws.main_tf(REFERENCE + """
resource "terraform_data" "gate" {
  input = data.bluegreen_upgrade_path.eks.total_upgrades
  lifecycle {
    postcondition {
      condition     = self.output <= var.max_upgrades
      error_message = "Fleet upgrade needs ${self.output} upgrades."
    }
  }
}
variable "max_upgrades" { type = number }
""")
        ws.apply("-var", "max_upgrades=49")
        r = ws.fails("apply", "-auto-approve", "-no-color", "-var", "max_upgrades=48")
        body = self.diag(r, "Error", "Resource postcondition failed")
        self.assertIn("Fleet upgrade needs 49 upgrades.", " ".join(body.split()))


class UpgradePathBadInput(Case):
    def check(self, args, summary, attribute, detail, command="validate"):
        self.ws.main_tf(path_block(**args))
        r = self.ws.fails(command, "-no-color")
        return self.assert_diag_at(r, summary, attribute, detail)

    def test_unknown_version_names_the_attribute_and_the_range(self):
        self.check({"kubernetes_from": '"1.15"', "kubernetes_to": '"1.99"'},
                   "Unknown Kubernetes version", "kubernetes_to",
                   "unknown Kubernetes version 1.99: the EKS tables know 1.10 to")

    def test_malformed_version_names_the_attribute(self):
        self.check({"kubernetes_from": '"v1.15"', "kubernetes_to": '"1.18"'},
                   "Invalid version", "kubernetes_from", 'is not a version like "1.15"')

    def test_target_below_source_is_refused(self):
        self.check({"kubernetes_from": '"1.18"', "kubernetes_to": '"1.16"'},
                   "Cannot plan the upgrade", "kubernetes_to",
                   "kubernetes_to 1.16 is below kubernetes_from 1.18")

    def test_istio_18_on_kubernetes_122_names_the_supported_range(self):
        self.check({"kubernetes_from": '"1.18"', "kubernetes_to": '"1.22"',
                    "istio_from": '"1.8"', "istio_to": '"1.8"'},
                   "Cannot plan the upgrade", "istio_to",
                   "Istio 1.8 supports Kubernetes 1.16 to 1.19, not 1.22 "
                   "(Kubernetes 1.22 needs Istio 1.11 to 1.16)")

    def test_unsupported_pair_also_fails_the_plan_when_known_only_at_plan(self):
        # istio_to comes from a data source, so validate cannot see it: read reports it.
        self.ws.main_tf(path_block(kubernetes_from='"1.18"', kubernetes_to='"1.22"',
                                   istio_from='"1.8"', istio_to="local.istio") +
                        'locals { istio = "1.8" }\n')
        r = self.ws.fails("plan", "-no-color")
        self.assert_diag_at(r, "Cannot plan the upgrade", "istio_to",
                            "Istio 1.8 supports Kubernetes 1.16 to 1.19, not 1.22")

    def test_istio_from_without_istio_to_is_refused(self):
        self.check({"kubernetes_from": '"1.15"', "kubernetes_to": '"1.18"',
                    "istio_from": '"1.4"'},
                   "istio_from and istio_to must be set together", "istio_from",
                   "istio_from is set but istio_to is not")

    def test_unknown_method_count_and_date_are_refused(self):
        base = {"kubernetes_from": '"1.15"', "kubernetes_to": '"1.16"'}
        self.check(dict(base, istio_method='"rolling"'), "Invalid", "istio_method", "rolling")
        self.check(dict(base, clusters="0"), "Value out of range", "clusters",
                   "clusters must be a whole number from 1")
        self.check(dict(base, as_of='"2020-02-30"'), "Invalid date", "as_of",
                   'date "2020-02-30" is not a valid YYYY-MM-DD date')


class DeprecatedApis(Case):
    def test_fail_on_findings_fails_the_plan_with_file_and_line(self):
        ws = self.ws
        ws.write("k8s/app.yaml", APP_YAML)
        ws.write("k8s/psp.yaml", "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n")
        ws.main_tf(apis_block(extra="  fail_on_findings = true\n"))
        r = ws.fails("plan", "-no-color")
        details = [b for s, summ, b in diag_blocks(r.text)
                   if s == "Error" and summ == "Kubernetes API not served by 1.25"]
        self.assertEqual(len(details), 2, r)
        self.assertRegex(details[0], r"(?m)^k8s/app\.yaml:3: extensions/v1beta1 Deployment ")
        self.assertRegex(details[1], r"(?m)^k8s/psp\.yaml:1: policy/v1beta1 PodSecurityPolicy ")
        self.assertRegex(details[0], r'(?m)^\s*\d+:\s+directory\s+= "k8s"')

    def test_fail_on_findings_passes_without_findings(self):
        ws = self.ws
        ws.write("k8s/app.yaml", APP_YAML)
        ws.main_tf(apis_block(version="1.15", extra="  fail_on_findings = true\n") +
                   COUNT_OUTPUT)
        ws.apply()
        self.assertEqual(self.outputs()["n"], 0)

    def test_findings_are_data_and_one_warning_without_fail(self):
        ws = self.ws
        ws.write("k8s/app.yaml", APP_YAML)
        ws.main_tf(apis_block() + 'output "scan" { value = data.bluegreen_deprecated_apis.scan }\n')
        r = ws.apply()
        body = self.diag(r, "Warning", "Manifests use Kubernetes APIs removed")
        self.assertIn("k8s/app.yaml:3: extensions/v1beta1 Deployment", body)
        scan = self.outputs()["scan"]
        self.assertEqual(scan["finding_count"], 1)
        self.assertEqual(scan["findings"], [{
            "file": "k8s/app.yaml", "line": 3, "api_version": "extensions/v1beta1",
            "kind": "Deployment", "removed_in": "1.16", "replacement": "apps/v1"}])
        self.assertIn("*.yaml", scan["include"], "the default globs are returned")

    def test_comments_are_not_findings(self):
        ws = self.ws
        ws.write("k8s/old.yaml", "# apiVersion: extensions/v1beta1\n# kind: Deployment\n"
                 "apiVersion: apps/v1\nkind: Deployment\n")
        ws.write("k8s/old.tf", '# apiVersion = "extensions/v1beta1"\n'
                 '/*\n  apiVersion = "apps/v1beta1"\n  kind = "Deployment"\n*/\n'
                 '// kind = "ReplicaSet"\n')
        ws.main_tf(apis_block() + COUNT_OUTPUT)
        r = ws.apply()
        self.assertEqual(self.outputs()["n"], 0)
        self.assertNotIn("Warning: Manifests use", r.text)

    def test_helm_chart_templates_are_scanned_and_templating_does_not_break_it(self):
        ws = self.ws
        ws.write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
        ws.write("charts/web/templates/deployment.yaml",
                 "{{- if .Values.enabled }}\napiVersion: apps/v1beta2\nkind: Deployment\n"
                 "metadata:\n  name: {{ include \"web.fullname\" . }}\n{{- end }}\n---\n"
                 "apiVersion: {{ .Values.apiVersion }}\nkind: Ingress\n")
        ws.write("charts/web/templates/_helpers.tpl",
                 "{{- define \"web.pdb\" -}}\napiVersion: policy/v1beta1\n"
                 "kind: PodDisruptionBudget\n{{- end }}\n")
        ws.main_tf(apis_block(directory="charts", extra='  include = ["**/templates/**"]\n') +
                   'output "f" { value = [for f in data.bluegreen_deprecated_apis.scan.findings :'
                   ' "${f.file}:${f.line} ${f.kind}"] }\n')
        ws.apply()
        self.assertEqual(self.outputs()["f"], [
            "charts/web/templates/_helpers.tpl:2 PodDisruptionBudget",
            "charts/web/templates/deployment.yaml:2 Deployment"])

    def test_postcondition_on_finding_count_fails_the_plan(self):
        ws = self.ws
        ws.write("k8s/app.yaml", APP_YAML)
        places = 'formatlist("%s:%d", self.findings[*].file, self.findings[*].line)'
        ws.main_tf(apis_block(extra="""  lifecycle {
    postcondition {
      condition     = self.finding_count == 0
      error_message = "Migrate first: ${join(", ", %s)}."
    }
  }
""" % places))
        r = ws.fails("plan", "-no-color")
        body = self.diag(r, "Error", "Resource postcondition failed")
        self.assertIn("Migrate first: k8s/app.yaml:3.", body)

    def test_directory_outside_the_repository_root_is_refused(self):
        ws = self.ws
        ws.main_tf(apis_block(directory=".."))
        r = ws.fails("plan", "-no-color")
        self.assert_diag_at(r, "Invalid directory", "directory", "is outside the repository root")

    def test_missing_directory_and_bad_version_name_the_attribute(self):
        ws = self.ws
        ws.main_tf(apis_block(directory="nope"))
        r = ws.fails("plan", "-no-color")
        self.assert_diag_at(r, "Directory not found", "directory", "directory nope:")
        ws.main_tf(apis_block(version="1.x"))
        r = ws.fails("validate", "-no-color")
        self.assert_diag_at(r, "Invalid version", "kubernetes_version", "is not a version")


class Example(Case):
    """examples/terraform/upgrade-planning, copied as is, so the example cannot rot."""

    def setUp(self):
        super().setUp()
        shutil.copytree(EXAMPLE, self.ws.root, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".terraform*", "terraform.tfstate*"))

    def test_example_reproduces_49_upgrades_and_lists_the_manifests(self):
        ws = self.ws
        r = ws.apply()
        self.assertIn("Check block assertion failed", r.text)
        out = self.outputs()
        self.assertEqual((out["step_count"], out["total_upgrades"], out["strategy"]),
                         (7, 49, "blue_green"))
        self.assertEqual(out["steps"], ["%s %s -> %s" % s for s in REFERENCE_STEPS])
        self.assertEqual([f.split(" ")[0] for f in out["deprecated_apis"]], [
            "manifests/app/deployment.yaml:3",
            "manifests/app/priority.json:2",
            "manifests/charts/mesh-gateway/templates/daemonset.yaml:2",
            "manifests/legacy/priority.tf:4"])

    def test_example_postcondition_refuses_an_unacknowledged_long_upgrade(self):
        r = self.ws.fails("plan", "-no-color", "-var", "upgrade_by_blue_green=false")
        body = self.diag(r, "Error", "Resource postcondition failed")
        self.assertIn("49 upgrades across 7 clusters", " ".join(body.split()))


if __name__ == "__main__":
    unittest.main()
