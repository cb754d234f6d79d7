"""Lets the tests import the `checker` package from this checkout without installing it."""
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
