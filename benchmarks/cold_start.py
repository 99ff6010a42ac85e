"""Cold start of the HTTP Lambda: importing `infra.lambda_http` in fresh interpreters.

Each sample is a new Python process, so nothing is cached in memory (the OS file cache is warm,
as on a Lambda that reuses its image). It is set beside the floor every boto3 Lambda pays:
`import boto3` plus one DynamoDB client. Run:

    .venv/bin/python -m benchmarks.cold_start [--runs 15] [--profile aws|memory|local]

The `aws` profile is what Lambda runs; while it cannot be built offline the benchmark falls back
to `memory` and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("stripe", "boto3", "botocore", "uvicorn", "jwt", "cryptography", "moto", "yaml")

_PROBE = """
import json, sys, time
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""
HANDLER = "import infra.lambda_http"
FLOOR = "import boto3\nboto3.client('dynamodb', region_name='us-east-1')"

# Settings the aws profile requires; nothing is contacted while importing.
_AWS_ENV = {
    "FLOWLOGIC_JWT_SECRET": "benchmark-secret-0123456789abcdef0123456789abcdef",
    "STRIPE_API_KEY": "sk_test_benchmark",
    "STRIPE_WEBHOOK_SECRET": "whsec_benchmark",
    "AWS_ACCESS_KEY_ID": "benchmark",
    "AWS_SECRET_ACCESS_KEY": "benchmark",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True, slots=True)
class Measurement:
    """Medians over fresh interpreters: the import itself, and the whole process."""

    import_ms: float
    process_ms: float
    loaded: tuple[str, ...]


def sample(body: str, env: Mapping[str, str]) -> tuple[float, float, tuple[str, ...]]:
    """One fresh interpreter running `body`: (import seconds, process seconds, heavy modules)."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (this interpreter, our own probe)
        [sys.executable, "-c", _PROBE.format(body=body, heavy=HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(env),
        timeout=120,
        check=False,
    )
    process_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return float(report["seconds"]), process_seconds, tuple(report["loaded"])


def measure(body: str, env: Mapping[str, str], runs: int) -> Measurement:
    """The medians of `runs` samples, after one unmeasured run that warms the file cache."""
    sample(body, env)
    samples = [sample(body, env) for _ in range(runs)]
    return Measurement(
        import_ms=statistics.median(s[0] for s in samples) * 1000,
        process_ms=statistics.median(s[1] for s in samples) * 1000,
        loaded=samples[-1][2],
    )


def environment(profile: str) -> dict[str, str]:
    """This environment with the profile set (and the aws profile's required settings)."""
    env = {**os.environ, "FLOWLOGIC_PROFILE": profile, "PYTHONDONTWRITEBYTECODE": "1"}
    if profile == "aws":
        env.update({k: v for k, v in _AWS_ENV.items() if k not in os.environ})
    return env


def main(argv: Sequence[str] | None = None) -> int:
    """Print the handler's cold import beside the boto3 floor."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cold_start")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", default="aws", choices=("aws", "memory", "local"))
    args = parser.parse_args(argv)
    profile = args.profile
    try:
        handler = measure(HANDLER, environment(profile), args.runs)
    except RuntimeError as error:
        if profile != "aws":
            raise
        print(f"profile aws cannot be built offline yet ({error}); measuring memory instead")
        profile = "memory"
        handler = measure(HANDLER, environment(profile), args.runs)
    floor = measure(FLOOR, environment(profile), args.runs)
    print(f"cold start, median of {args.runs} fresh interpreters ({sys.version.split()[0]})")
    print(f"{'':34}{'import':>10}{'process':>10}")
    for name, m in (
        (f"infra.lambda_http ({profile})", handler),
        ("boto3 + 1 client (floor)", floor),
    ):
        print(f"{name:34}{m.import_ms:>8.0f}ms{m.process_ms:>8.0f}ms  loads {', '.join(m.loaded)}")
    print(f"handler / floor (import): {handler.import_ms / floor.import_ms:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
