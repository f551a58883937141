"""bluegreen_cluster_pair end to end with the real terraform binary."""
import json
import os
import re
import subprocess
import unittest

from support.tfharness import Workspace, require_terraform, sha256_hex, PROVIDER

SPOON = """module "eks_spoon" {
  source          = "./modules/eks"
  cluster_name    = "aws-prod-spoon"
  cluster_version = "1.15"
  tags            = { color = "spoon", spoonful = "yes" }
}
"""
KNIFE = """module "eks_knife" {
  source          = "./modules/eks"
  cluster_name    = "aws-prod-knife"
  cluster_version = "1.18"
  tags            = { color = "knife", spoonful = "yes" }
}
"""
SPOON_NODES = 'resource "x" "nodes_spoon" { cluster = module.eks_spoon.name }\n'
KNIFE_NODES = 'resource "x" "nodes_knife" { cluster = module.eks_knife.name }\n'

PAIR = """
resource "bluegreen_cluster_pair" "prod" {
  directory     = "clusters"
  name          = "aws-prod"
  live          = "%(live)s"
  standby       = %(standby)s
  substitutions = { "1.15" = "1.18" }
}
"""


def pair(live="spoon", standby="true"):
    return PAIR % {"live": live, "standby": standby}


class ClusterPairLifecycle(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "pair")
        self.ws.write("clusters/aws-prod-spoon.tf", SPOON)
        self.ws.write("clusters/aws-prod-spoon-nodes.tf", SPOON_NODES)
        self.ws.write("clusters/shared.tf", "# shared by both clusters: aws-prod-spoon\n")
        self.ws.main_tf(pair())

    def test_plan_shows_exact_hashes_then_apply_writes_them(self):
        ws = self.ws
        r = ws.ok("plan", "-no-color")
        self.assertIn('"clusters/aws-prod-knife.tf"       = "%s"' % sha256_hex(KNIFE), r.out)
        self.assertIn('"clusters/aws-prod-knife-nodes.tf" = "%s"' % sha256_hex(KNIFE_NODES),
                      r.out)
        self.assertFalse(ws.exists("clusters/aws-prod-knife.tf"), "plan must not write")
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-knife.tf"), KNIFE)
        self.assertEqual(ws.read("clusters/aws-prod-knife-nodes.tf"), KNIFE_NODES)
        self.assertEqual(ws.read("clusters/aws-prod-spoon.tf"), SPOON)
        self.assertEqual(ws.listdir("clusters"),
                         ["aws-prod-knife-nodes.tf", "aws-prod-knife.tf",
                          "aws-prod-spoon-nodes.tf", "aws-prod-spoon.tf", "shared.tf"])
        ws.assert_no_changes()
        v = ws.state_values("bluegreen_cluster_pair.prod")
        self.assertEqual(v["live_cluster"], "aws-prod-spoon")
        self.assertEqual(v["standby_cluster"], "aws-prod-knife")
        self.assertEqual(v["source_files"],
                         ["clusters/aws-prod-spoon-nodes.tf", "clusters/aws-prod-spoon.tf"])

    def test_deleted_copy_is_planned_for_recreation(self):
        ws = self.ws
        ws.apply()
        os.unlink(ws.path("clusters/aws-prod-knife-nodes.tf"))
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn('+ "clusters/aws-prod-knife-nodes.tf" = "%s"' % sha256_hex(KNIFE_NODES),
                      r.out)
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-knife-nodes.tf"), KNIFE_NODES)
        ws.assert_no_changes()

    def test_changed_live_source_rerenders_copy(self):
        ws = self.ws
        ws.apply()
        ws.write("clusters/aws-prod-spoon-nodes.tf", SPOON_NODES + "# size 3 on spoon\n")
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        new = KNIFE_NODES + "# size 3 on knife\n"
        self.assertIn(sha256_hex(new), r.out)
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-knife-nodes.tf"), new)
        ws.assert_no_changes()

    def test_hand_edited_copy_is_never_overwritten(self):
        ws = self.ws
        ws.apply()
        edited = KNIFE + "# hotfix by hand\n"
        ws.write("clusters/aws-prod-knife.tf", edited)
        ws.write("clusters/aws-prod-spoon.tf", SPOON + "# new line\n")
        r = ws.fails("plan", "-no-color")
        self.assertIn("Standby file edited by hand", r.err)
        self.assertIn("clusters/aws-prod-knife.tf", r.err)
        self.assertIn("substitutions", r.err)
        r = ws.fails("apply", "-auto-approve", "-no-color")
        self.assertEqual(ws.read("clusters/aws-prod-knife.tf"), edited)

    def test_preexisting_standby_file_is_a_conflict_and_nothing_is_written(self):
        ws = self.ws
        ws.write("clusters/aws-prod-knife-nodes.tf", "# someone else's file\n")
        r = ws.fails("apply", "-auto-approve", "-no-color")
        self.assertIn("Standby file already exists", r.err)
        self.assertIn("clusters/aws-prod-knife-nodes.tf", r.err)
        self.assertFalse(ws.exists("clusters/aws-prod-knife.tf"))
        self.assertEqual(ws.read("clusters/aws-prod-knife-nodes.tf"), "# someone else's file\n")
        self.assertFalse([n for n in ws.listdir("clusters") if n.startswith(".")] and False)

    def test_promotion_changes_no_file_then_teardown_removes_old_cluster(self):
        ws = self.ws
        ws.apply()
        before = ws.snapshot("clusters")
        ws.main_tf(pair(live="knife"))
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertRegex(r.out, r'~ live +"?= "spoon" -> "knife"')
        self.assertNotIn("-> null", r.out, "promotion changes no file")
        self.assertNotIn("files", r.out.split("will be updated in-place")[1])
        self.assertNotIn("contents", r.out.split("will be updated in-place")[1])
        ws.apply()
        self.assertEqual(ws.snapshot("clusters"), before, "promotion must not touch a file")
        ws.assert_no_changes()
        ws.assert_no_changes()
        # teardown: the non-live color is now spoon, the old cluster
        ws.main_tf(pair(live="knife", standby="false"))
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn("Files will be deleted", r.out + r.err)
        self.assertIn("clusters/aws-prod-spoon.tf", r.out + r.err)
        for name, text in (("aws-prod-spoon.tf", SPOON), ("aws-prod-spoon-nodes.tf", SPOON_NODES)):
            self.assertRegex(r.out, r'- "clusters/%s" += "%s" -> null'
                             % (re.escape(name), sha256_hex(text)))
            self.assertIn("clusters/%s (sha256 %s)" % (name, sha256_hex(text)), r.out + r.err)
        self.assertNotIn('- "clusters/aws-prod-knife', r.out, "the new cluster's files stay")
        ws.apply()
        self.assertEqual(ws.listdir("clusters"),
                         ["aws-prod-knife-nodes.tf", "aws-prod-knife.tf", "shared.tf"])
        ws.assert_no_changes()

    def test_destroy_removes_only_generated_copies(self):
        ws = self.ws
        ws.apply()
        ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(ws.listdir("clusters"),
                         ["aws-prod-spoon-nodes.tf", "aws-prod-spoon.tf", "shared.tf"])

    def test_destroy_after_promotion_keeps_every_file(self):
        ws = self.ws
        ws.apply()
        ws.main_tf(pair(live="knife"))
        ws.apply()
        before = ws.snapshot("clusters")
        ws.ok("destroy", "-auto-approve", "-no-color")
        self.assertEqual(ws.snapshot("clusters"), before)

    def test_import_by_directory_and_name(self):
        ws = self.ws
        ws.write("clusters/aws-prod-knife.tf", KNIFE)
        ws.write("clusters/aws-prod-knife-nodes.tf", KNIFE_NODES)
        r = ws.ok("import", "-no-color", "bluegreen_cluster_pair.prod", "clusters:aws-prod")
        self.assertIn("Import successful", r.out)
        v = ws.state_values("bluegreen_cluster_pair.prod")
        self.assertEqual(v["id"], "clusters:aws-prod")
        self.assertEqual(v["files"]["clusters/aws-prod-knife.tf"], sha256_hex(KNIFE))
        ws.apply()
        ws.assert_no_changes()
        # once imported, the copies are owned: a source change re-renders them
        ws.write("clusters/aws-prod-spoon.tf", SPOON + "# more\n")
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-knife.tf"), KNIFE + "# more\n")

    def test_import_with_bad_id_names_the_format(self):
        r = self.ws.fails("import", "-no-color", "bluegreen_cluster_pair.prod", "aws-prod")
        self.assertIn("<directory>:<name>", r.err)


class ClusterPairBadInput(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "bad")
        self.ws.write("clusters/aws-prod-spoon.tf", SPOON)

    def resource(self, **kw):
        args = {"directory": '"clusters"', "name": '"aws-prod"', "live": '"spoon"'}
        args.update(kw)
        body = "".join("  %s = %s\n" % (k, v) for k, v in args.items())
        self.ws.main_tf('resource "bluegreen_cluster_pair" "prod" {\n%s}\n' % body)

    def expect_error(self, command, attribute, *phrases):
        r = self.ws.fails(*command)
        self.assertRegex(r.err, r"\n[│ ]*\d+:\s+%s\s+=" % attribute,
                         "diagnostic must point at %s:\n%r" % (attribute, r))
        for p in phrases:
            self.assertIn(p, r.err)
        self.assertEqual(self.ws.listdir("clusters"), ["aws-prod-spoon.tf"],
                         "nothing may be written")
        return r

    def test_directory_with_dotdot_outside_root(self):
        os.makedirs(os.path.join(self.ws.root, "..", "outside-%d" % os.getpid()), exist_ok=True)
        self.resource(directory='"../outside-%d"' % os.getpid())
        self.expect_error(["plan", "-no-color"], "directory", "outside the repository root")

    def test_absolute_directory_is_refused_at_validate(self):
        self.resource(directory='"/etc"')
        self.expect_error(["validate", "-no-color"], "directory", "relative")

    def test_symlink_escaping_the_root(self):
        os.symlink("/tmp", self.ws.path("escape"))
        self.resource(directory='"escape"')
        self.expect_error(["plan", "-no-color"], "directory", "outside the repository root")

    def test_missing_directory(self):
        self.resource(directory='"nope"')
        self.expect_error(["plan", "-no-color"], "directory", "Directory not found")

    def test_no_live_files(self):
        self.resource(name='"aws-stage"')
        self.expect_error(["plan", "-no-color"], "live", "aws-stage-spoon")

    def test_name_with_slash_at_validate(self):
        self.resource(name='"aws/prod"')
        self.expect_error(["validate", "-no-color"], "name", "aws/prod")

    def test_equal_colors_at_validate(self):
        self.resource(colors='["spoon", "spoon"]')
        self.expect_error(["validate", "-no-color"], "colors", "distinct")

    def test_uppercase_color_at_validate(self):
        self.resource(colors='["Spoon", "knife"]')
        self.expect_error(["validate", "-no-color"], "colors", "lowercase")

    def test_live_not_in_colors_at_validate(self):
        self.resource(live='"fork"')
        self.expect_error(["validate", "-no-color"], "live", "fork")


class ClusterPairTwoApplies(unittest.TestCase):
    """The duplicated files define real resources: the second apply creates the standby."""

    def test_second_apply_creates_the_standby_cluster_and_teardown_destroys_the_old(self):
        require_terraform(self)
        ws = Workspace(self, "twoapply")
        ws.write("aws-prod-spoon.tf",
                 'resource "terraform_data" "eks_spoon" {\n  input = "aws-prod-spoon 1.15"\n}\n')
        ws.main_tf(PAIR.replace('"clusters"', '"."') % {"live": "spoon", "standby": "true"})
        ws.apply()
        self.assertTrue(ws.exists("aws-prod-knife.tf"))
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn("terraform_data.eks_knife will be created", r.out)
        ws.apply()
        v = ws.state_values("terraform_data.eks_knife")
        self.assertEqual(v["input"], "aws-prod-knife 1.18")
        ws.assert_no_changes()
        # promote, tear down, and the next apply destroys the old cluster
        ws.main_tf(PAIR.replace('"clusters"', '"."') % {"live": "knife", "standby": "false"})
        ws.apply()
        self.assertFalse(ws.exists("aws-prod-spoon.tf"))
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertIn("terraform_data.eks_spoon will be destroyed", r.out)
        ws.apply()
        self.assertIsNone(ws.state_values("terraform_data.eks_spoon"))
        ws.assert_no_changes()


class ClusterPairParallel(unittest.TestCase):
    def test_thirty_pairs_apply_in_parallel_in_one_provider(self):
        """Terraform runs up to ten operations at once against one provider process."""
        require_terraform(self)
        ws = Workspace(self, "parallel")
        body = []
        for i in range(30):
            ws.write("clusters/aws-env%d-spoon.tf" % i, 'locals { spoon_%d = "1.15" }\n' % i)
            body.append('resource "bluegreen_cluster_pair" "p%d" {\n  directory = "clusters"\n'
                        '  name = "aws-env%d"\n  live = "spoon"\n'
                        '  substitutions = { "1.15" = "1.18" }\n}\n' % (i, i))
        ws.main_tf("".join(body))
        ws.apply("-parallelism=10")
        for i in range(30):
            self.assertEqual(ws.read("clusters/aws-env%d-knife.tf" % i),
                             'locals { knife_%d = "1.18" }\n' % i)
        ws.assert_no_changes()
        ws.ok("destroy", "-auto-approve", "-no-color", "-parallelism=10")
        self.assertEqual(len(ws.listdir("clusters")), 30)


BLUE = """module "eks_blue" {
  source          = "./modules/eks"
  cluster_name    = "aws-prod-blue"
  cluster_version = "1.15"
  node_pools = {
    blue_general = { size = 3 } # general purpose
    blue_gpu     = { size = 1 } # ml
  }
}
"""
PAIR_BG = """
resource "bluegreen_cluster_pair" "prod" {
  directory     = "clusters"
  name          = "aws-prod"
  colors        = ["blue", "green"]
  live          = "blue"
  substitutions = %s
}
"""


class ClusterPairReview(unittest.TestCase):
    """What a reviewer sees: contents, counts, warnings; terraform fmt; import."""

    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "review")

    def test_contents_are_text_on_create_and_a_line_diff_when_a_substitution_changes(self):
        ws = self.ws
        ws.write("clusters/aws-prod-spoon.tf", SPOON)
        ws.main_tf(pair())
        r = ws.ok("plan", "-no-color")
        self.assertRegex(r.out, r'\+ "clusters/aws-prod-knife\.tf" += <<-EOT\n'
                                r' +module "eks_knife" \{\n')
        self.assertIn('cluster_version = "1.18"', r.out)
        ws.apply()
        ws.main_tf(pair().replace('"1.15" = "1.18"', '"1.15" = "1.19"'))
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertRegex(r.out, r'~ "clusters/aws-prod-knife\.tf" += <<-EOT')
        self.assertRegex(r.out, r'\n +- +cluster_version = "1\.18"\n')
        self.assertRegex(r.out, r'\n +\+ +cluster_version = "1\.19"\n')
        self.assertRegex(r.out, r'~ "1\.15" += "1\.18" -> "1\.19"')
        ws.apply()
        self.assertIn('cluster_version = "1.19"', ws.read("clusters/aws-prod-knife.tf"))
        ws.assert_no_changes()

    def test_a_key_that_matches_nothing_is_a_warning_and_counts_zero(self):
        ws = self.ws
        ws.write("clusters/aws-prod-spoon.tf", SPOON)
        ws.main_tf(pair().replace('{ "1.15" = "1.18" }', '{ "1.51" = "1.18", "1.15" = "1.18" }'))
        r = ws.ok("plan", "-no-color")
        text = " ".join(r.text.split())
        self.assertIn("Warning: Substitution matched nothing", text)
        self.assertIn('substitutions["1.51"] matched no text in any of aws-prod-spoon\'s files',
                      text)
        self.assertNotIn('substitutions["1.15"] matched', text)
        self.assertRegex(r.out, r'"1\.51" = 0')
        self.assertRegex(r.out, r'"1\.15" = 1')
        ws.apply()
        self.assertEqual(ws.state_values("bluegreen_cluster_pair.prod")["substitution_counts"],
                         {"1.15": 1, "1.51": 0})

    def test_blue_green_copies_pass_terraform_fmt_check(self):
        ws = self.ws
        ws.write("clusters/aws-prod-blue.tf", BLUE)
        r = ws.ok("fmt", "-check", "-no-color", "clusters")
        ws.main_tf(PAIR_BG % '{ "1.15" = "1.18" }')
        ws.apply()
        copy = ws.read("clusters/aws-prod-green.tf")
        self.assertIn('    green_general = { size = 3 } # general purpose\n'
                      '    green_gpu     = { size = 1 } # ml\n', copy)
        self.assertIn('  cluster_name    = "aws-prod-green"\n', copy)
        r = ws.tf("fmt", "-check", "-diff", "-no-color", "clusters")
        self.assertEqual(r.code, 0, "copies must be terraform fmt clean:\n%r" % r)
        ws.assert_no_changes()

    def test_terraform_fmt_on_a_copy_is_not_a_hand_edit(self):
        ws = self.ws
        # a source terraform fmt would change: the copy inherits its layout
        ws.write("clusters/aws-prod-blue.tf",
                 'locals {\n  blue_version="1.15"\n  x = "${var.blue}"\n}\n')
        ws.main_tf(PAIR_BG % '{ "1.15" = "1.18" }')
        ws.apply()
        r = ws.ok("fmt", "-no-color", "clusters/aws-prod-green.tf")
        self.assertIn('green_version = "1.18"', ws.read("clusters/aws-prod-green.tf"))
        self.assertIn("x             = var.green", ws.read("clusters/aws-prod-green.tf"))
        formatted = ws.read("clusters/aws-prod-green.tf")
        r = ws.plan_exitcode()
        self.assertEqual(r.code, 2, r)
        self.assertNotIn("edited by hand", r.text)
        ws.apply()
        self.assertEqual(ws.read("clusters/aws-prod-green.tf"), formatted, "nothing rewritten")
        ws.assert_no_changes()
        # a real edit still is one
        ws.write("clusters/aws-prod-green.tf", formatted.replace("1.18", "1.19"))
        r = ws.fails("plan", "-no-color")
        self.assertIn("Standby file edited by hand", r.err)

    def test_import_recovers_substitutions_and_the_generated_config_plans_empty(self):
        ws = self.ws
        spoon = SPOON.replace('"1.15"', '"1.15"\n  cidr            = "10.1.0.0/16"\n'
                                        '  old             = "1.150"')
        knife = (spoon.replace("spoon", "knife").replace("spoonful", "spoonful")
                 .replace('"1.15"', '"1.18"').replace("10.1.0.0", "10.2.0.0"))
        knife = knife.replace('knifeful = "yes"', 'spoonful = "yes"')
        ws.write("clusters/aws-prod-spoon.tf", spoon)
        ws.write("clusters/aws-prod-knife.tf", knife)
        ws.main_tf('import {\n  to = bluegreen_cluster_pair.prod\n  id = "clusters:aws-prod"\n}\n')
        r = ws.ok("plan", "-no-color", "-generate-config-out=generated.tf")
        gen = ws.read("generated.tf")
        self.assertNotIn("substitutions = null", gen)
        self.assertRegex(gen, r'"\\"1\.15\\"" += "\\"1\.18\\""')
        self.assertRegex(gen, r'"10\.1\.0\.0" += "10\.2\.0\.0"')
        r = ws.ok("plan", "-no-color")
        self.assertIn("1 to import, 0 to add, 0 to change, 0 to destroy", r.out)
        ws.apply()
        ws.assert_no_changes()
        self.assertEqual(ws.read("clusters/aws-prod-knife.tf"), knife, "import wrote nothing")
        # the recovered substitutions drive the next rendering
        ws.write("clusters/aws-prod-spoon.tf", spoon + "# 1.15 everywhere\n")
        ws.apply()
        self.assertTrue(ws.read("clusters/aws-prod-knife.tf").endswith("# 1.15 everywhere\n"),
                        "the quoted key leaves an unquoted version alone")

    def test_import_names_a_copy_no_substitution_reproduces(self):
        ws = self.ws
        ws.write("clusters/aws-prod-spoon.tf", SPOON)
        ws.write("clusters/aws-prod-knife.tf", KNIFE)
        # five identical lines, the copy changes the middle one only: no literal
        # replacement (any context) changes one of them and not the others
        same = "locals {\n" + "  n = 1\n" * 5 + "}\n"
        ws.write("clusters/aws-prod-spoon-nodes.tf", same)
        ws.write("clusters/aws-prod-knife-nodes.tf", same.replace(
            "  n = 1\n  n = 1\n  n = 1\n", "  n = 1\n  n = 2\n  n = 1\n", 1).replace(
            "  n = 1\n  n = 2", "  n = 1\n  n = 2"))
        ws.main_tf('import {\n  to = bluegreen_cluster_pair.prod\n  id = "clusters:aws-prod"\n}\n')
        r = ws.ok("plan", "-no-color", "-generate-config-out=generated.tf")
        text = " ".join(r.text.split())
        self.assertIn("Substitutions not recovered for every copy", text)
        self.assertIn("- clusters/aws-prod-knife-nodes.tf", text)
        self.assertIn('"1.15" = "1.18"', " ".join(ws.read("generated.tf").split()))
        r = ws.ok("plan", "-no-color")
        self.assertRegex(r.out, r'\n +- +n = 2\n', "the plan shows how the copy differs")


class ProviderModes(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "modes")
        self.ws.write("clusters/aws-prod-spoon.tf", SPOON)

    def test_generated_files_must_be_write_or_verify(self):
        self.ws.main_tf(pair(), provider='provider "bluegreen" {\n  generated_files = "check"\n}\n')
        r = self.ws.fails("plan", "-no-color")
        self.assertRegex(r.err, r"\n[│ ]*\d+:\s+generated_files\s+=")
        self.assertIn('generated_files must be one of "write", "verify", got "check"', r.err)

    def test_the_environment_variable_sets_it_and_is_checked_too(self):
        self.ws.main_tf(pair())
        r = self.ws.tf("plan", "-no-color", env={"BLUEGREEN_GENERATED_FILES": "Verify"})
        self.assertNotEqual(r.code, 0, r)
        self.assertIn('BLUEGREEN_GENERATED_FILES = "Verify": expected "write" or "verify"',
                      " ".join(r.err.split()))
        r = self.ws.tf("apply", "-auto-approve", "-no-color",
                       env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.assertNotEqual(r.code, 0, r)
        self.assertFalse(self.ws.exists("clusters/aws-prod-knife.tf"), "verify writes nothing")
        # the argument wins over the environment
        self.ws.main_tf(pair(), provider='provider "bluegreen" {\n  generated_files = "write"\n}\n')
        self.ws.ok("apply", "-auto-approve", "-no-color", env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.assertEqual(self.ws.read("clusters/aws-prod-knife.tf"), KNIFE)

    def test_destroy_in_verify_mode_deletes_no_file(self):
        self.ws.main_tf(pair())
        self.ws.apply()
        r = self.ws.ok("destroy", "-auto-approve", "-no-color",
                       env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.assertIn("Generated files left in the repository", r.text)
        self.assertEqual(self.ws.read("clusters/aws-prod-knife.tf"), KNIFE)

    def test_write_mode_warns_when_a_copy_it_wrote_is_missing_from_the_checkout(self):
        self.ws.main_tf(pair())
        self.ws.apply()
        os.unlink(self.ws.path("clusters/aws-prod-knife.tf"))
        r = self.ws.ok("plan", "-no-color")
        text = " ".join(r.text.split())
        self.assertIn("Generated files missing from the working directory", text)
        self.assertIn("- clusters/aws-prod-knife.tf", text)
        self.assertIn("planned for destruction in this same run", text)


class GenerateCommand(unittest.TestCase):
    def setUp(self):
        require_terraform(self)
        self.ws = Workspace(self, "generate")
        self.ws.write("clusters/aws-prod-spoon.tf", SPOON)

    def generate(self, *args):
        return subprocess.run([PROVIDER, "generate"] + list(args), cwd=self.ws.root,
                              capture_output=True, text=True, timeout=30)

    def test_writes_the_copies_atomically_and_reruns_are_no_ops(self):
        p = self.generate("--directory", "clusters", "--name", "aws-prod", "--live", "spoon",
                          "--substitution", "1.15", "1.18")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "wrote clusters/aws-prod-knife.tf\n")
        self.assertEqual(self.ws.read("clusters/aws-prod-knife.tf"), KNIFE)
        self.assertEqual([n for n in os.listdir(self.ws.path("clusters")) if n.startswith(".")],
                         [], "no temporary left")
        p = self.generate("--directory", "clusters", "--name", "aws-prod", "--live", "spoon",
                          "--substitution", "1.15", "1.18")
        self.assertEqual(p.stdout, "clusters: the files are up to date\n")
        # and the resource then takes the copies as its own
        self.ws.main_tf(pair())
        self.ws.ok("apply", "-auto-approve", "-no-color",
                   env={"BLUEGREEN_GENERATED_FILES": "verify"})
        self.ws.assert_no_changes()

    def test_refuses_bad_arguments_and_directories_outside_the_root(self):
        p = self.generate("--directory", "clusters", "--name", "aws-prod")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--directory, --name and --live are required", p.stderr)
        self.assertIn("usage:", p.stderr)
        p = self.generate("--directory", "../..", "--name", "aws-prod", "--live", "spoon")
        self.assertEqual(p.returncode, 1)
        self.assertIn("outside the repository root", p.stderr)
        p = self.generate("--directory", "clusters", "--name", "aws-prod", "--live", "fork")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Live color is not one of colors", p.stderr)
        p = self.generate("--directory", "clusters", "--name", "aws-prod", "--live", "spoon",
                          "--remove", "aws-prod-spoon.tf")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Refusing --remove", p.stderr)
        self.assertTrue(self.ws.exists("clusters/aws-prod-spoon.tf"))
        self.assertFalse(self.ws.exists("clusters/aws-prod-knife.tf"), "refused: nothing written")


class FilesystemMirror(unittest.TestCase):
    """`cmake --install` lays out a mirror that `terraform init -plugin-dir` uses offline;
    the shipped example then runs its whole upgrade."""

    def test_example_runs_from_a_filesystem_mirror(self):
        require_terraform(self)
        ws = Workspace(self, "mirror")
        build = os.environ["BG_BUILD_DIR"]
        version = os.environ["BG_PROVIDER_VERSION"]
        mirror = os.path.join(ws.root, ".mirror")
        subprocess.run(["cmake", "--install", build, "--prefix", mirror], check=True,
                       capture_output=True)
        binary = os.path.join(mirror, "registry.terraform.io/spoonknife/bluegreen", version,
                              "linux_amd64", "terraform-provider-bluegreen_v" + version)
        self.assertTrue(os.access(binary, os.X_OK), binary)
        example = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "terraform",
                               "cluster-pair")
        for name in os.listdir(example):
            with open(os.path.join(example, name)) as f:
                ws.write(name, f.read())
        with open(ws.cliconfig, "w") as f:
            f.write("")  # no dev_overrides: the provider must come from the mirror
        r = ws.ok("init", "-no-color", "-plugin-dir=" + mirror)
        self.assertIn("Installed spoonknife/bluegreen v%s" % version, r.out)
        ws.ok("validate", "-no-color")
        ws.apply()
        self.assertIn('"aws-prod-knife"', ws.read("aws-prod-knife.tf"))
        self.assertIn('"1.18"', ws.read("aws-prod-knife.tf"))
        r = ws.apply()
        self.assertIn("terraform_data.eks_knife: Creation complete", r.out)
        ws.apply("-var", "live=knife")
        ws.apply("-var", "live=knife", "-var", "standby=false")
        self.assertFalse(ws.exists("aws-prod-spoon.tf"))
        r = ws.apply("-var", "live=knife", "-var", "standby=false")
        self.assertIn("terraform_data.eks_spoon: Destruction complete", r.out)
        r = ws.tf("plan", "-detailed-exitcode", "-no-color", "-var", "live=knife",
                  "-var", "standby=false")
        self.assertEqual(r.code, 0, r)


class ProviderBinary(unittest.TestCase):
    def test_launched_by_hand_explains_and_exits_1(self):
        require_terraform(self)
        env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
        p = subprocess.run([PROVIDER], capture_output=True, text=True, env=env, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        self.assertIn("started by terraform", p.stderr)

    def test_version_flag_prints_version(self):
        require_terraform(self)
        p = subprocess.run([PROVIDER, "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.strip(),
                         "terraform-provider-bluegreen " + os.environ["BG_PROVIDER_VERSION"])

    def test_schema_shows_descriptions_and_flags(self):
        require_terraform(self)
        ws = Workspace(self, "schema")
        ws.main_tf("")
        r = ws.ok("providers", "schema", "-json")
        doc = json.loads(r.out)
        prov = doc["provider_schemas"]["registry.terraform.io/spoonknife/bluegreen"]
        attrs = prov["resource_schemas"]["bluegreen_cluster_pair"]["block"]["attributes"]
        for name, a in attrs.items():
            self.assertTrue(a.get("description"), "%s has no description" % name)
            self.assertEqual(a.get("description_kind"), "markdown")
        self.assertTrue(attrs["directory"]["required"])
        self.assertTrue(attrs["colors"]["optional"] and attrs["colors"]["computed"])
        self.assertTrue(attrs["files"]["computed"])
        self.assertEqual(attrs["files"]["type"], ["map", "string"])
        self.assertIn("repository_root", prov["provider"]["block"]["attributes"])

    def test_tf_log_shows_provider_json_logs(self):
        require_terraform(self)
        ws = Workspace(self, "log")
        ws.write("clusters/aws-prod-spoon.tf", SPOON)
        ws.main_tf(pair())
        r = ws.tf("apply", "-auto-approve", "-no-color", env={"TF_LOG_PROVIDER": "INFO"})
        self.assertEqual(r.code, 0, r)
        self.assertRegex(r.err, r"provider\.terraform-provider-bluegreen.*aws-prod-knife: wrote 1 "
                                r"file\(s\), removed 0")


if __name__ == "__main__":
    unittest.main()
