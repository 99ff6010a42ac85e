"""The repository explains itself: every variable and CLI option is documented in it, nothing
points outside it, the packages are typed, and the README's embedding example runs as written."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import pytest

from infra.cli import _parser
from infra.settings import Settings
from tests.support.dynamodb_backend import embedded_server

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PACKAGES = ("domain", "ports", "application", "adapters", "infra")
# Spelled in pieces so that this file does not match itself.
_OUTSIDE = re.compile(r"\.\./" + "shared/|" + r"\bshared/(API|SPEC)\.md")
_EXAMPLE = re.compile(
    r"<!-- embed-example:start -->\s*```python\n(.*?)```\s*<!-- embed-example:end -->", re.S
)


def _aliases() -> list[str]:
    return Settings.variables()


def test_every_environment_variable_is_documented_with_its_default() -> None:
    configuration = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")

    for alias in _aliases():
        rows = [line for line in configuration.splitlines() if line.startswith("|")]
        assert any(f"`{alias}`" in row for row in rows), alias
        assert f"`{alias}`" in readme, alias


def test_every_cli_command_and_option_is_documented() -> None:
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = _parser()
    pending = [("flowlogic", parser)]
    while pending:
        prog, current = pending.pop()
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    assert f"flowlogic {name}" in cli or f"{prog} {name}" in cli, name
                    pending.append((f"{prog} {name}", child))
            else:
                for option in action.option_strings:
                    if option not in ("-h", "--help"):
                        assert f"`{option}" in cli or f"[{option}" in cli, (prog, option)


def test_nothing_points_outside_the_repository() -> None:
    texts = [README, *(ROOT / "docs").rglob("*.md")]
    texts += [
        path
        for folder in (*PACKAGES, "tests", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
    ]
    offending = [
        str(path.relative_to(ROOT))
        for path in texts
        if _OUTSIDE.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []


def test_every_package_is_typed() -> None:
    for package in PACKAGES:
        assert (ROOT / package / "py.typed").is_file(), package


def test_the_readme_embedding_example_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    [example] = _EXAMPLE.findall(README.read_text(encoding="utf-8"))
    assert 15 <= len(example.strip().splitlines()) <= 25
    # The example's own client finds "your" DynamoDB the standard way: boto3's variables.
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", embedded_server().start())
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "embedding-example")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "embedding-example")
    monkeypatch.delenv("FLOWLOGIC_PROFILE", raising=False)

    exec(compile(example, str(README), "exec"), {"__name__": "readme_example"})  # noqa: S102

    assert capsys.readouterr().out.splitlines() == ["free", "grace@example.com"]
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"].startswith("http://127.0.0.1:")
