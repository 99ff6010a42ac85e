"""Architecture rules that import-linter cannot express on its own."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_top_level_modules(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    outside = {
        module: files
        for module, files in _imported_top_level_modules("domain").items()
        if module not in sys.stdlib_module_names and module not in {"domain", "__future__"}
    }
    assert outside == {}


def test_ports_and_use_cases_import_only_the_standard_library_domain_and_ports() -> None:
    allowed = {"domain", "ports", "application", "__future__"}
    for package in ("ports", "application"):
        outside = {
            module: files
            for module, files in _imported_top_level_modules(package).items()
            if module not in sys.stdlib_module_names and module not in allowed
        }
        assert outside == {}, package


def test_no_module_outside_infra_names_infra() -> None:
    for package in ("domain", "ports", "application", "adapters"):
        assert "infra" not in _imported_top_level_modules(package), package
