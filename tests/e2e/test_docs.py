"""The registry docs are generated from the provider's schema and never stale; the examples
they include are valid Terraform for the built provider.

GeneratorLayout needs no terraform: it renders schemas of resources that do not exist yet
(nested attributes of every nesting, blocks, object types) with scripts/gen_docs.py.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from support.tfharness import PROVIDER, REQUIRED, TERRAFORM, Workspace, require_terraform

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import gen_docs  # noqa: E402

S, N, B = "string", "number", "bool"


def attr(t=S, description="", **flags):
    a = {"type": t, "description": description, "description_kind": "markdown"}
    a.update(flags)
    return a


def nested(mode, attributes, description="", **flags):
    a = {"nested_type": {"attributes": attributes, "nesting_mode": mode},
         "description": description, "description_kind": "markdown"}
    a.update(flags)
    return a


CONNECTION = {"endpoint": attr(description="API server URL.", required=True),
              "token": attr(description="Bearer token.", required=True, sensitive=True),
              "tls": nested("single", {"ca": attr(optional=True)}, optional=True)}

# Resources this provider does not serve (yet): what the generator must handle anyway.
SYNTHETIC = {
    "provider": {"block": {"description": "Test provider.", "attributes": {
        "region": attr(description="Region.", optional=True)}}},
    "resource_schemas": {
        "bluegreen_statefulset_handoff": {"block": {
            "description": "Hands a **StatefulSet** over between clusters.",
            "attributes": {
                "id": attr(computed=True),
                "name": attr(description="StatefulSet name.", required=True),
                "source": nested("single", CONNECTION, "Old cluster.", required=True),
                "target": nested("single", CONNECTION, "New cluster.", required=True),
                "volumes": nested("list", {"claim": attr(required=True),
                                           "size_gb": attr(N, optional=True)},
                                  "Claims moved.", optional=True),
                "labels": attr(["map", S], "Labels.", optional=True),
                "phases": nested("set", {"name": attr(computed=True)}, "Phases.",
                                 computed=True),
                "by_zone": nested("map", {"replicas": attr(N, computed=True)}, computed=True),
                "history": attr(["list", ["object", {"at": S, "done": B}]], "Log.",
                                computed=True),
                "legacy": attr(B, "Old switch.", optional=True, deprecated=True),
            },
            "block_types": {
                "hook": {"nesting_mode": "list", "min_items": 1, "max_items": 3, "block": {
                    "description": "Commands run between phases.",
                    "attributes": {"command": attr(["list", S], required=True)}}},
                "timeouts": {"nesting_mode": "single", "block": {
                    "attributes": {"create": attr(optional=True)}}},
            }}},
    },
    "data_source_schemas": {
        "bluegreen_weighted_shift_plan": {"block": {
            "description": "Plans a weighted shift.",
            "attributes": {"weights": attr(["list", N], "Weights.", computed=True),
                           "steps": attr(N, "Steps.", required=True)}}},
    },
}


def make_root(testcase, pages=None):
    """A temporary repository with the examples the synthetic pages include."""
    root = tempfile.mkdtemp(prefix="bg-docs-test-")
    testcase.addCleanup(shutil.rmtree, root, True)
    files = {
        "examples/provider/provider.tf": 'provider "bluegreen" {}\n',
        "examples/resources/bluegreen_statefulset_handoff/resource.tf":
            'resource "bluegreen_statefulset_handoff" "db" {\n  name = "db"\n}\n',
        "examples/resources/bluegreen_statefulset_handoff/import.sh":
            "terraform import bluegreen_statefulset_handoff.db db\n",
        "examples/data-sources/bluegreen_weighted_shift_plan/data-source.tf":
            'data "bluegreen_weighted_shift_plan" "p" {\n  steps = 4\n}\n',
    }
    files.update(pages or {})
    for rel, text in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    return root


def read(root, rel):
    with open(os.path.join(root, rel)) as f:
        return f.read()


class GeneratorLayout(unittest.TestCase):
    def test_a_resource_that_does_not_exist_yet_gets_a_registry_page_with_every_nesting(self):
        root = make_root(self)
        self.assertEqual(gen_docs.generate(SYNTHETIC, root, check=False), [])
        page = read(root, "docs/resources/statefulset_handoff.md")
        for line in [
            'page_title: "bluegreen_statefulset_handoff Resource - terraform-provider-bluegreen"',
            'subcategory: ""',
            "description: |-\n  Hands a StatefulSet over between clusters.\n---",
            "# bluegreen_statefulset_handoff (Resource)\n\nHands a **StatefulSet** over",
            "## Example Usage\n\n<!-- generated:example -->\n```terraform\n"
            'resource "bluegreen_statefulset_handoff" "db" {',
            "## Schema\n\n### Required\n\n"
            "- `hook` (Block List, Min: 1, Max: 3) Commands run between phases. "
            "(see [below for nested schema](#nestedblock--hook))\n"
            "- `name` (String) StatefulSet name.\n"
            "- `source` (Attributes) Old cluster. "
            "(see [below for nested schema](#nestedatt--source))\n",
            "### Optional\n\n- `labels` (Map of String) Labels.\n"
            "- `legacy` (Boolean, Deprecated) Old switch.\n"
            "- `timeouts` (Block, Optional) (see [below for nested schema](#nestedblock--timeouts))\n"
            "- `volumes` (Attributes List) Claims moved.",
            "### Read-Only\n\n- `by_zone` (Attributes Map) "
            "(see [below for nested schema](#nestedatt--by_zone))\n"
            "- `history` (List of Object) Log. (see [below for nested schema](#nestedatt--history))\n"
            "- `id` (String)\n"
            "- `phases` (Attributes Set) Phases.",
            '<a id="nestedatt--source"></a>\n### Nested Schema for `source`\n\nRequired:\n\n'
            "- `endpoint` (String) API server URL.\n"
            "- `token` (String, Sensitive) Bearer token.\n\nOptional:\n\n"
            "- `tls` (Attributes) (see [below for nested schema](#nestedatt--source--tls))",
            '<a id="nestedatt--source--tls"></a>\n### Nested Schema for `source.tls`\n\n'
            "Optional:\n\n- `ca` (String)",
            '<a id="nestedatt--volumes"></a>\n### Nested Schema for `volumes`\n\nRequired:\n\n'
            "- `claim` (String)\n\nOptional:\n\n- `size_gb` (Number)",
            '<a id="nestedatt--history"></a>\n### Nested Schema for `history`\n\nRead-Only:\n\n'
            "- `at` (String)\n- `done` (Boolean)",
            '<a id="nestedblock--hook"></a>\n### Nested Schema for `hook`\n\nRequired:\n\n'
            "- `command` (List of String)",
            "## Import\n\n<!-- generated:import -->\nImport is supported using the following "
            "syntax:\n\n```shell\nterraform import bluegreen_statefulset_handoff.db db\n```",
        ]:
            self.assertIn(line, page)
        ds = read(root, "docs/data-sources/weighted_shift_plan.md")
        self.assertIn("# bluegreen_weighted_shift_plan (Data Source)", ds)
        self.assertIn("- `weights` (List of Number) Weights.", ds)
        self.assertNotIn("## Import", ds)
        index = read(root, "docs/index.md")
        self.assertIn('page_title: "bluegreen Provider"', index)
        self.assertNotIn("subcategory", index, "the registry refuses a subcategory on the index")
        self.assertEqual(gen_docs.generate(SYNTHETIC, root, check=True), [],
                         "a second run changes nothing")

    def test_hand_written_prose_and_subcategory_survive_regeneration(self):
        page = ("---\nsubcategory: \"Hand-offs\"\n---\n\n# bluegreen_weighted_shift_plan\n\n"
                "Intro written by hand.\n\n<!-- generated:schema -->\nold\n"
                "<!-- /generated:schema -->\n\n## Behaviour\n\nAlso by hand.\n")
        root = make_root(self, {"docs/data-sources/weighted_shift_plan.md": page})
        gen_docs.generate(SYNTHETIC, root, check=False)
        text = read(root, "docs/data-sources/weighted_shift_plan.md")
        self.assertIn('subcategory: "Hand-offs"', text)
        self.assertIn("Intro written by hand.\n\n<!-- generated:schema -->", text)
        self.assertIn("- `steps` (Number) Steps.", text)
        self.assertNotIn("\nold\n", text)
        self.assertTrue(text.endswith("<!-- /generated:schema -->\n\n## Behaviour\n\n"
                                      "Also by hand.\n"))

    def test_a_changed_description_fails_the_check_until_regenerated(self):
        root = make_root(self)
        gen_docs.generate(SYNTHETIC, root, check=False)
        changed = copy.deepcopy(SYNTHETIC)
        block = changed["resource_schemas"]["bluegreen_statefulset_handoff"]["block"]
        block["attributes"]["name"]["description"] = "The StatefulSet to hand over."
        stale = gen_docs.generate(changed, root, check=True)
        self.assertEqual(len(stale), 1, stale)
        self.assertIn("docs/resources/statefulset_handoff.md: generated schema stale", stale[0])
        self.assertIn("+- `name` (String) The StatefulSet to hand over.", stale[0])
        gen_docs.generate(changed, root, check=False)
        self.assertEqual(gen_docs.generate(changed, root, check=True), [])

    def test_a_page_for_a_type_the_provider_does_not_serve_is_reported(self):
        root = make_root(self, {"docs/resources/gone.md": "# gone\n"})
        stale = gen_docs.generate(SYNTHETIC, root, check=True)
        self.assertIn("docs/resources/gone.md documents nothing the provider serves", stale)

    def test_a_page_without_a_schema_section_is_an_error(self):
        root = make_root(self, {"docs/data-sources/weighted_shift_plan.md": "# by hand\n"})
        with self.assertRaises(SystemExit) as e:
            gen_docs.generate(SYNTHETIC, root, check=True)
        self.assertIn("no <!-- generated:schema --> section", str(e.exception))


def built_schema(testcase):
    require_terraform(testcase)
    return gen_docs.provider_schema(PROVIDER, TERRAFORM)


class DocsOfTheBuiltProvider(unittest.TestCase):
    def test_committed_docs_match_the_built_provider(self):
        stale = gen_docs.generate(built_schema(self), ROOT, check=True)
        self.assertEqual(stale, [], "\n".join(stale))

    def test_a_description_changed_in_a_schema_table_fails_the_check_until_regenerated(self):
        schema = built_schema(self)
        root = tempfile.mkdtemp(prefix="bg-docs-copy-")
        self.addCleanup(shutil.rmtree, root, True)
        for d in ("docs", "examples"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(root, d))
        before = read(root, "docs/data-sources/upgrade_path.md")
        # What editing `reason`'s description in src/resources/upgrade_path.c and rebuilding
        # does to the schema terraform reads.
        ds = schema["data_source_schemas"]["bluegreen_upgrade_path"]["block"]
        ds["attributes"]["reason"]["description"] = "Why, in one sentence."
        stale = gen_docs.generate(schema, root, check=True)
        self.assertEqual(len(stale), 1, stale)
        self.assertIn("docs/data-sources/upgrade_path.md: generated schema stale", stale[0])
        gen_docs.generate(schema, root, check=False)
        self.assertEqual(gen_docs.generate(schema, root, check=True), [])
        after = read(root, "docs/data-sources/upgrade_path.md")
        self.assertIn("- `reason` (String) Why, in one sentence.", after)
        strip = lambda t: gen_docs.MARKER.sub("", t)  # noqa: E731
        self.assertEqual(strip(after), strip(before), "only the generated section changed")

    def test_the_docs_stage_script_fails_on_stale_docs(self):
        require_terraform(self)
        root = tempfile.mkdtemp(prefix="bg-docs-cli-")
        self.addCleanup(shutil.rmtree, root, True)
        for d in ("docs", "examples"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(root, d))
        page = os.path.join(root, "docs", "resources", "traffic_shift.md")
        with open(page) as f:
            text = f.read()
        with open(page, "w") as f:
            f.write(text.replace("Default: `300`.", "Default: `30`."))
        cmd = [sys.executable, os.path.join(ROOT, "scripts", "gen_docs.py"), "--check",
               "--provider", PROVIDER, "--root", root]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("docs/resources/traffic_shift.md: generated schema stale", p.stderr)
        subprocess.run(cmd[:2] + cmd[3:], check=True, capture_output=True, timeout=120)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


def example_files():
    out = [os.path.join("examples", "provider", "provider.tf")]
    for folder, name in (("resources", "resource.tf"), ("data-sources", "data-source.tf")):
        d = os.path.join(ROOT, "examples", folder)
        out += [os.path.join("examples", folder, t, name) for t in sorted(os.listdir(d))]
    return out


class Examples(unittest.TestCase):
    def test_examples_are_terraform_fmt_clean(self):
        require_terraform(self)
        p = subprocess.run([TERRAFORM, "fmt", "-check", "-recursive", "-diff", "examples"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, "terraform fmt would change:\n" + p.stdout + p.stderr)

    def test_every_served_type_has_its_examples(self):
        schema = built_schema(self)
        for t in schema["resource_schemas"]:
            # import.sh only for a resource that can be imported: the schema does not say.
            self.assertTrue(os.path.exists(os.path.join(ROOT, "examples", "resources", t,
                                                        "resource.tf")),
                            "examples/resources/%s/resource.tf is missing" % t)
        for t in schema["data_source_schemas"]:
            self.assertTrue(os.path.exists(
                os.path.join(ROOT, "examples", "data-sources", t, "data-source.tf")), t)

    def test_every_example_validates_against_the_provider(self):
        require_terraform(self)
        for rel in example_files():
            with self.subTest(example=rel):
                ws = Workspace(self, "example")
                with open(os.path.join(ROOT, rel)) as f:
                    text = f.read()
                if "required_providers" not in text:
                    text = REQUIRED + text
                ws.write("main.tf", text)
                ws.ok("validate", "-no-color")

    def test_import_examples_import_the_resource_their_example_declares(self):
        d = os.path.join(ROOT, "examples", "resources")
        for t in sorted(os.listdir(d)):
            if not os.path.exists(os.path.join(d, t, "import.sh")):
                continue
            with self.subTest(resource=t):
                resource = read(d, os.path.join(t, "resource.tf"))
                command = " ".join(read(d, os.path.join(t, "import.sh")).replace("\\\n", " ")
                                   .split())
                m = re.search(r"terraform import (%s)\.(\w+) \S+" % t, command)
                self.assertIsNotNone(m, command)
                self.assertIn('resource "%s" "%s"' % (t, m.group(2)), resource)

    def test_the_upgrade_path_example_gives_the_documented_result(self):
        require_terraform(self)
        ws = Workspace(self, "example-plan")
        ws.write("main.tf", REQUIRED + read(ROOT, "examples/data-sources/bluegreen_upgrade_path/"
                                                  "data-source.tf"))
        ws.apply()
        out = json.loads(ws.ok("output", "-json").out)["upgrade_plan"]["value"]
        self.assertEqual((out["steps"], out["total_upgrades"], out["strategy"]),
                         (7, 49, "blue_green"))


if __name__ == "__main__":
    unittest.main()
