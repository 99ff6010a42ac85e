"""The command line tells people what is wrong: every command and option explains itself,
`--version` answers, and a bad environment variable is one line, exit 2, no traceback."""

from __future__ import annotations

import argparse
import os
import subprocess

import pytest

from infra.cli import _parser, main, version
from infra.settings import SettingsError, describe_invalid
from tests.e2e.test_cli import FLOWLOGIC, ROOT


def _commands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(parser.prog, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += _commands(child)
    return found


def test_every_command_and_option_has_help_text() -> None:
    missing = []
    for prog, parser in _commands(_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                names = {choice.dest for choice in action._choices_actions}
                helped = {choice.dest for choice in action._choices_actions if choice.help}
                missing += [f"{prog} {name}" for name in names - helped]
            elif not action.help:
                missing.append(f"{prog} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"flowlogic {version()}"
    assert version()[0].isdigit()


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("FLOWLOGIC_PROFILE", "prod", "one of local, memory, aws"),
        ("FLOWLOGIC_STAGE", "Bad_Stage", "1 to 32 characters of a-z, 0-9 and -"),
        ("FLOWLOGIC_INDEX_SHARDS", "0", "a whole number from 1 to 256"),
        ("FLOWLOGIC_INDEX_SHARDS", "many", "a whole number from 1 to 256"),
        ("FLOWLOGIC_MIN_QUALITY", "2", "a number from 0 to 1"),
        ("FLOWLOGIC_LOG_LEVEL", "loud", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("FLOWLOGIC_LOG_FORMAT", "xml", "one of auto, json, text"),
        ("STRIPE_API_BASE", "ftp://stripe.test", "an http:// or https:// URL"),
        ("AWS_ENDPOINT_URL_DYNAMODB", "localhost:8001", "an http:// or https:// URL"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it_and_what_it_accepts(
    variable: str,
    value: str,
    accepted: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)

    code = main(["token", "--sub", "ada"])

    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"invalid configuration: {variable}={value!r}; expected {accepted}"
    ]


def test_a_bad_secret_is_named_but_never_printed() -> None:
    # A secret field takes any text; the answer to a refused one must still not echo it.
    lines = describe_invalid(SettingsError("FLOWLOGIC_JWT_SECRET", "hunter2", "not accepted"))
    assert len(lines) == 1
    assert lines[0].startswith("invalid configuration: FLOWLOGIC_JWT_SECRET; expected")
    assert "hunter2" not in lines[0]


def test_the_console_script_exits_2_without_a_traceback() -> None:
    env = {**os.environ, "FLOWLOGIC_PROFILE": "staging"}
    finished = subprocess.run(  # noqa: S603 (the project's own console script)
        [str(FLOWLOGIC), "serve", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 2
    assert finished.stderr.splitlines() == [
        "invalid configuration: FLOWLOGIC_PROFILE='staging'; expected one of local, memory, aws"
    ]
