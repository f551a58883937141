"""The demo scripts the README points at run to the end (so they cannot rot)."""
import os
import subprocess
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


if __name__ == "__main__":
    unittest.main()
