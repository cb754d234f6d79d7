"""Loads the scripts in tools/ as modules, so their functions and main(argv) can be tested.

Their file names have dashes (they are commands first), so `import` cannot name them; each is
loaded from its path once per test session.
"""
import importlib.util
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _load(file_name: str):
    name = file_name.removesuffix(".py").replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, TOOLS / file_name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def drift():
    return _load("stage-drift.py")


@pytest.fixture(scope="session")
def census_tool():
    return _load("syscall-census.py")


@pytest.fixture(scope="session")
def make_lab():
    return _load("make-lab.py")
