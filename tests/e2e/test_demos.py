"""The demo scripts the README points at run to the end (so they cannot rot)."""
import os
import subprocess
import tempfile
import unittest

from support.tfharness import require_terraform, PROVIDER

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Demos(unittest.TestCase):
    def test_traffic_shift_demo_walks_every_phase(self):
        require_terraform(self)
        env = dict(os.environ, BG_PROVIDER_BINARY=PROVIDER)
        p = subprocess.run(["bash", os.path.join(ROOT, "scripts", "demo_shift.sh")], env=env,
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
        for phrase in ("step register 10.0.1.11: healthy, 25% on to_targets",
                       "step deregister 10.0.0.11: gone, 33% on to_targets",
                       "step deregister 10.0.0.13: gone, 100% on to_targets",
                       "Teardown refused: the old cluster still serves",
                       "terraform_data.eks_spoon: Destruction complete",
                       "found no differences"):
            self.assertIn(phrase, p.stdout + p.stderr)

    def test_demo_without_moto_runs_the_cluster_pair_half_and_names_what_is_missing(self):
        require_terraform(self)
        with tempfile.TemporaryDirectory() as hidden:
            # a `moto` that cannot be imported, found before the real one
            os.makedirs(os.path.join(hidden, "moto"))
            with open(os.path.join(hidden, "moto", "__init__.py"), "w") as f:
                f.write("raise ImportError('moto hidden by the test')\n")
            env = dict(os.environ, PYTHONPATH=hidden)
            p = subprocess.run(["bash", os.path.join(ROOT, "scripts", "demo.sh")], env=env,
                               capture_output=True, text=True, timeout=900)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out[-3000:])
        self.assertIn("7. nothing left to do", out)
        self.assertIn("found no differences", out)
        skipped = [l for l in out.splitlines() if l.startswith("skipped:")]
        self.assertEqual(len(skipped), 1, out[-2000:])
        self.assertIn("moto", skipped[0])
        self.assertNotIn("Traceback", out)


if __name__ == "__main__":
    unittest.main()
