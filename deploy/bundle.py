"""`make package`: the zip the template's four functions run, built from uv.lock.

The runtime dependencies only (`uv export --no-dev`, no extras: no moto, uvicorn, test or lint
tools), installed as binary wheels for Lambda's Linux and Python, plus the five packages of the
project, compiled to bytecode when an interpreter of the target version is at hand (Lambda's
/var/task is read-only: without .pyc files every cold start compiles every module again). The
zip is reproducible (sorted entries, fixed timestamps) and named after its content, so a new
build is a new S3 key and CloudFormation publishes a new function version for SnapStart.

    .venv/bin/python -m deploy.bundle [--arch arm64|x86_64] [--python 3.12] [--out build]

The platform and Python version are parameters, so the test that imports every handler from the
bundle alone builds the very same way for this machine
(docs/decisions/155-the-lambda-bundle.md).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.template import ARCHITECTURE as TEMPLATE_ARCHITECTURE
from infra.template import RUNTIME

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "ports", "application", "adapters", "infra")
# What the template deploys: arm64 (Graviton), python3.12 (docs/decisions/155).
ARCHITECTURE = TEMPLATE_ARCHITECTURE
RUNTIME_PYTHON = RUNTIME.removeprefix("python")
PLATFORMS = {"arm64": "aarch64-manylinux2014", "x86_64": "x86_64-manylinux2014"}
# Installed as dependencies' scripts and test suites; nothing imports them at run time.
_DROPPED_DIRECTORIES = ("bin", "__pycache__")
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Target:
    """What the bundle is for: Lambda's architecture name and the Python version (X.Y)."""

    architecture: str = ARCHITECTURE
    python: str = RUNTIME_PYTHON

    @property
    def platform(self) -> str:
        return PLATFORMS[self.architecture]


@dataclass(frozen=True, slots=True)
class Bundle:
    """A built zip, the directory it was made from, and whether its bytecode is compiled."""

    zip_path: Path
    tree: Path
    compiled: bool

    @property
    def size(self) -> int:
        return self.zip_path.stat().st_size


def host_target() -> Target:
    """This machine's architecture and this interpreter's version (for the import test)."""
    machine = os.uname().machine
    architecture = "arm64" if machine in ("aarch64", "arm64") else "x86_64"
    return Target(architecture, f"{sys.version_info.major}.{sys.version_info.minor}")


def uv() -> str:
    """The uv the Makefile installs into the venv, else one on PATH."""
    local = Path(sys.executable).parent / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if found is None:
        raise RuntimeError("uv not found: run `make install`")
    return found


def runtime_requirements(out: Path) -> Path:
    """The locked runtime dependencies, as a requirements file (no dev group, no extras)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "--no-header",
            "--quiet",
            "--output-file",
            str(out),
        ]
    )
    return out


def build(target: Target, out: Path) -> Bundle:
    """Build the bundle for `target` under `out`; the wheel cache stays there between builds."""
    work = out / f"lambda-{target.architecture}-py{target.python}"
    tree = work / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    requirements = runtime_requirements(work / "requirements.txt")
    _run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--no-deps",  # the export lists every package, pinned
            "--only-binary",
            ":all:",
            "--python-platform",
            target.platform,
            "--python-version",
            target.python,
            "--target",
            str(tree),
            "--cache-dir",
            str(out / "cache" / "uv"),
            "--requirement",
            str(requirements),
        ]
    )
    for name in _DROPPED_DIRECTORIES:
        shutil.rmtree(tree / name, ignore_errors=True)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    compiled = _compile(tree, target.python)
    zip_path = _zip(tree, work, target)
    return Bundle(zip_path, tree, compiled)


def interpreter(version: str) -> str | None:
    """A working Python of `version` on this machine (this one, pyenv's, python3.X), or None."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    pyenv = Path.home() / ".pyenv" / "versions"
    candidates = [str(path) for path in sorted(pyenv.glob(f"{version}.*/bin/python{version}"))]
    on_path = shutil.which(f"python{version}")
    for candidate in [*reversed(candidates), *([on_path] if on_path else [])]:
        works = subprocess.run(  # noqa: S603 (probing an interpreter)
            [candidate, "-c", "pass"], capture_output=True, check=False
        )
        if works.returncode == 0:
            return candidate
    return None


def _compile(tree: Path, version: str) -> bool:
    python = interpreter(version)
    if python is None:
        return False
    # unchecked-hash: valid whatever mtimes the zip gives the sources.
    _run(
        [
            python,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(tree),
        ],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
    )
    return True


def _files(tree: Path) -> Iterator[Path]:
    for path in sorted(tree.rglob("*")):
        if path.is_file():
            yield path


def _zip(tree: Path, work: Path, target: Target) -> Path:
    staging = work / "bundle.zip"
    with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in _files(tree):
            info = zipfile.ZipInfo(path.relative_to(tree).as_posix(), _FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()[:16]
    final = work.parent / f"flowlogic-{target.architecture}-py{target.python}-{digest}.zip"
    for old in work.parent.glob(f"flowlogic-{target.architecture}-py{target.python}-*.zip"):
        old.unlink()
    staging.replace(final)
    return final


def wheel_tags(tree: Path) -> dict[str, list[str]]:
    """Each installed distribution's wheel tags (from its WHEEL file)."""
    tags: dict[str, list[str]] = {}
    for wheel in sorted(tree.glob("*.dist-info/WHEEL")):
        lines = wheel.read_text(encoding="utf-8").splitlines()
        tags[wheel.parent.name] = [
            line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")
        ]
    return tags


def distributions(tree: Path) -> set[str]:
    """The normalised names of the distributions installed in `tree`."""
    return {_normalise(path.name.split("-")[0]) for path in tree.glob("*.dist-info")}


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _run(command: Sequence[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(  # noqa: S603 (our own tools, fixed arguments)
        list(command), cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} {command[1]} failed:\n{done.stderr.strip()}")


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    """Build the bundle and print its size, unpacked size and what it holds."""
    parser = argparse.ArgumentParser(prog="python -m deploy.bundle", description=__doc__)
    parser.add_argument("--arch", default=ARCHITECTURE, choices=sorted(PLATFORMS))
    parser.add_argument("--python", default=RUNTIME_PYTHON)
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)
    bundle = build(Target(args.arch, args.python), args.out)
    unpacked = sum(path.stat().st_size for path in _files(bundle.tree))
    held = sorted(distributions(bundle.tree))
    print(bundle.zip_path)
    print(f"  zip {_size(bundle.size)}, unpacked {_size(unpacked)} (Lambda's limits: 50 MB zipped")
    print("  for a direct upload, 250 MB unpacked)")
    print(f"  {len(held)} distributions: {', '.join(held)}")
    if not bundle.compiled:
        print(f"  not compiled to bytecode: no python{args.python} found on this machine")
    print("  handlers: infra.lambda_http, infra.lambda_webhook, infra.lambda_stream,")
    print("  infra.lambda_reminders (.handler); upload it as the template's CodeKey")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
