"""Nothing imports a distribution it does not declare.

Every import of a third-party module in the five packages resolves to a distribution declared in
pyproject.toml: a runtime dependency, or one of the `local` extra's (uvicorn, moto, httpx2, tqdm)
when the import happens only on the local tools' path: inside a function, or in a module the
Lambda functions and the extras-free CLI never load. Imports under `if TYPE_CHECKING:` are the
type checker's and do not count.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "ports", "application", "adapters", "infra")
# Modules only `flowlogic serve`/`demo` and the local profile's simulator load.
LOCAL_ONLY_MODULES = {"infra/demo.py", "adapters/stripe/in_process.py"}


def _name(requirement: str) -> str:
    for separator in "<>=!~[; ":
        requirement = requirement.split(separator)[0]
    return requirement.strip().lower().replace("_", "-")


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    local = {_name(r) for r in project["optional-dependencies"]["local"]}
    return runtime, local


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.AST) -> Iterator[tuple[str, bool]]:
    """(top-level module, imported at module level) for every import outside TYPE_CHECKING."""

    def walk(node: ast.AST, nested: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    yield from walk(other, nested)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name.split(".")[0], not nested
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield child.module.split(".")[0], not nested
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from walk(child, inner)

    yield from walk(tree, False)


def third_party_imports() -> list[tuple[str, str, bool]]:
    """(file, top-level module, at module level) for every third-party import."""
    found: list[tuple[str, str, bool]] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for module, module_level in imports(tree):
                if (
                    module in sys.stdlib_module_names
                    or module in PACKAGES
                    or module == "__future__"
                ):
                    continue
                found.append((str(path.relative_to(ROOT)), module, module_level))
    return found


def test_every_third_party_import_is_a_declared_distribution() -> None:
    runtime, local = declared()
    owners = packages_distributions()
    undeclared = []
    on_the_runtime_path = []
    for file, module, module_level in third_party_imports():
        distributions = {_name(d) for d in owners.get(module, [module])}
        if distributions & runtime:
            continue
        if not distributions & local:
            undeclared.append((file, module, sorted(distributions)))
        elif module_level and file not in LOCAL_ONLY_MODULES:
            on_the_runtime_path.append((file, module))

    assert undeclared == []
    assert on_the_runtime_path == []


def test_the_check_sees_imports_inside_functions_and_skips_type_checking_blocks() -> None:
    tree = ast.parse(
        "import yaml\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import mypy_boto3_s3\n"
        "def f():\n    import uvicorn\n"
    )

    assert list(imports(tree)) == [("yaml", True), ("typing", True), ("uvicorn", False)]
    assert ("infra/cli.py", "uvicorn", False) in third_party_imports()
