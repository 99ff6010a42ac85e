"""The Lambda bundle: runtime dependencies only, Lambda's wheels, every handler importable from
it alone; and the package installed without extras runs its CLI.

Builds go to build/ (the wheel cache stays there), the same code path `make package` runs: the
arm64 bundle for Lambda is checked for what it holds, and the same build for this machine's
platform and Python is unpacked beside a fresh, empty virtual environment and imported from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from deploy.bundle import ROOT, Bundle, Target, build, distributions, host_target, uv, wheel_tags

pytestmark = pytest.mark.slow
BUILD = ROOT / "build"
# What must never reach a function: the local extra, test, lint and build tools.
NOT_AT_RUN_TIME = {
    "moto",
    "werkzeug",
    "flask",
    "uvicorn",
    "httpx2",
    "tqdm",
    "pydantic-settings",
    "pytest",
    "hypothesis",
    "mypy",
    "ruff",
    "import-linter",
    "schemathesis",
    "cfn-lint",
    "uv",
}
HANDLERS = ("lambda_http", "lambda_webhook", "lambda_stream", "lambda_reminders")
# Settings of the aws profile; nothing is contacted while the functions initialise.
AWS_ENVIRONMENT = {
    "FLOWLOGIC_PROFILE": "aws",
    "FLOWLOGIC_STAGE": "bundle",
    "FLOWLOGIC_LOG_LEVEL": "DEBUG",
    "FLOWLOGIC_JWT_SECRET": "bundle-secret-0123456789abcdef0123456789abcdef",
    "STRIPE_API_KEY": "sk_test_bundle",
    "STRIPE_WEBHOOK_SECRET": "whsec_bundle",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def locked_runtime_distributions() -> set[str]:
    """The distributions `uv export --no-dev` pins: what a bundle must hold, no more."""
    exported = subprocess.run(  # noqa: S603 (uv, fixed arguments)
        [uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        line.split("==")[0].strip().lower().replace("_", "-").replace(".", "-")
        for line in exported.splitlines()
        if "==" in line and not line.startswith("#")
    }


@pytest.fixture(scope="module")
def arm64() -> Bundle:
    return build(Target("arm64", "3.12"), BUILD)


def test_the_lambda_bundle_holds_the_locked_runtime_dependencies_and_nothing_else(
    arm64: Bundle,
) -> None:
    found = distributions(arm64.tree)

    assert found == locked_runtime_distributions()
    assert found & NOT_AT_RUN_TIME == set()
    assert {"boto3", "pydantic", "dependency-injector", "fastapi", "pyyaml"} <= found
    names = set(zipfile.ZipFile(arm64.zip_path).namelist())
    for handler in HANDLERS:
        assert f"infra/{handler}.py" in names
    assert not any(name.startswith(("tests/", "benchmarks/", "deploy/")) for name in names)


def test_the_lambda_bundle_is_built_for_linux_on_arm64_and_compiled_for_python_3_12(
    arm64: Bundle,
) -> None:
    tags = wheel_tags(arm64.tree)
    compiled = [tag for values in tags.values() for tag in values if not tag.endswith("-any")]

    assert compiled, "pydantic-core and dependency-injector ship compiled wheels"
    assert all("aarch64" in tag and tag.startswith("cp") for tag in compiled), compiled
    assert all("x86_64" not in tag for tag in compiled)
    assert arm64.zip_path.name.startswith("flowlogic-arm64-py3.12-")
    if arm64.compiled:
        names = zipfile.ZipFile(arm64.zip_path).namelist()
        assert "infra/__pycache__/lambda_http.cpython-312.pyc" in names


def test_the_bundle_is_reproducible(arm64: Bundle) -> None:
    again = build(Target("arm64", "3.12"), BUILD)

    assert again.zip_path.name == arm64.zip_path.name


def test_every_handler_initialises_from_the_bundle_alone_in_a_fresh_virtual_environment(
    tmp_path: Path,
) -> None:
    bundle = build(host_target(), BUILD)
    task = tmp_path / "task"  # Lambda's /var/task
    with zipfile.ZipFile(bundle.zip_path) as archive:
        archive.extractall(task)
    venv = tmp_path / "venv"
    subprocess.run(  # noqa: S603 (this interpreter)
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    script = textwrap.dedent(
        f"""
        import json, sys, sysconfig
        sys.path.insert(0, {str(task)!r})
        import infra.lambda_http, infra.lambda_webhook, infra.lambda_stream, infra.lambda_reminders
        infra.lambda_stream._consumer()
        infra.lambda_reminders._job()
        stdlib = sysconfig.get_paths()["stdlib"]
        outside = sorted(
            name for name, module in list(sys.modules.items())
            if getattr(module, "__file__", None)
            and not module.__file__.startswith(({str(task)!r}, stdlib))
        )
        print(json.dumps({{"outside": outside, "fastapi": "fastapi" in sys.modules}}))
        """
    )

    done = subprocess.run(  # noqa: S603 (the fresh venv's interpreter, our script)
        [str(venv / "bin" / "python"), "-I", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), **AWS_ENVIRONMENT},
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"outside": [], "fastapi": True}


def test_the_package_without_extras_runs_help_token_and_the_openapi_check(
    tmp_path: Path,
) -> None:
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)  # noqa: S603
    requirements = tmp_path / "requirements.txt"
    subprocess.run(  # noqa: S603 (uv, fixed arguments)
        [
            uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "--quiet",
            "--output-file",
            str(requirements),
        ],
        cwd=ROOT,
        check=True,
    )
    for what in (["--requirement", str(requirements)], [str(ROOT)]):
        subprocess.run(  # noqa: S603 (uv, fixed arguments)
            [uv(), "pip", "install", "--quiet", "--no-deps", "--python", str(python), *what],
            cwd=ROOT,
            check=True,
        )
    flowlogic = str(venv / "bin" / "flowlogic")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (the installed console script)
            [flowlogic, *args], capture_output=True, text=True, cwd=ROOT, env=env, check=False
        )

    helped, token, checked = (
        run("--help"),
        run("token", "--sub", "fresh-user"),
        run("openapi", "--check"),
    )

    assert helped.returncode == 0, helped.stderr
    assert "serve" in helped.stdout
    assert token.returncode == 0, token.stderr
    assert token.stdout.count(".") == 2  # a JWT
    assert checked.returncode == 0, checked.stderr
    installed = subprocess.run(  # noqa: S603 (uv, fixed arguments)
        [uv(), "pip", "list", "--python", str(python), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {entry["name"].lower() for entry in json.loads(installed)}
    assert names & NOT_AT_RUN_TIME == set()
