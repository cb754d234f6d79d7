"""The checker's modules import one another without a cycle.

A cycle works or fails by the order in which modules happen to be imported first, so two
checks: the graph of every import between the checker's modules (statements at the top, inside
functions and under TYPE_CHECKING alike, and importlib.import_module calls) has no cycle, and
every module imports in a fresh interpreter, in sorted order and in reverse order.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "checker"
# Importing __main__ runs the command line.
MODULES = sorted(".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
                 for path in PACKAGE.rglob("*.py") if path.name != "__main__.py")


def _is_package(module: str) -> bool:
    return (REPO.joinpath(*module.split(".")) / "__init__.py").is_file()


def _module_of(name: str) -> str | None:
    """`name` if it is one of the checker's modules, else None (a name inside a module)."""
    return name if name in MODULES else None


def imports_of(module: str) -> set[str]:
    """The checker's modules that `module` imports anywhere in its text."""
    path = REPO.joinpath(*module.split("."))
    path = path / "__init__.py" if _is_package(module) else path.with_suffix(".py")
    package = module if _is_package(module) else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            found.add(origin)
            # `from . import network` names a module; `from .spec import Scenario` a class.
            found |= {f"{origin}.{alias.name}" for alias in node.names}
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(node.args[0].value)  # importlib.import_module("checker.x") is an import too
    return {name for name in map(_module_of, found) if name and name != module}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as [a, b, ..., a], or [] when it has none."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        path.append(node)
        for succ in sorted(graph[node]):
            if state.get(succ) == "open":
                return path[path.index(succ):] + [succ]
            if succ not in state and (cycle := visit(succ)):
                return cycle
        path.pop()
        state[node] = "done"
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_graph_walker_sees_relative_absolute_and_nested_imports():
    assert {"checker.addresses", "checker.frame_file"} <= imports_of("checker.frame_corpus")  # absolute
    assert "checker.errors" in imports_of("checker.testhost.qemu")                          # from ..errors
    assert "checker.testhost.xl_local" in imports_of("checker.backends")                     # in a function
    assert "checker.testhost.image" in imports_of("checker.cli")                             # from .testhost import


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_the_checker_has_no_import_cycle():
    graph = {module: imports_of(module) for module in MODULES}
    assert find_cycle(graph) == []


@pytest.mark.parametrize("order", ["sorted", "reversed"])
def test_every_module_imports_in_a_fresh_interpreter(order):
    modules = MODULES if order == "sorted" else MODULES[::-1]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", code, *modules], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
