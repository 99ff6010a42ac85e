"""Cold start of the four Lambda entry points, each beside the floor, in one run.

A sample is a new Python process doing what the function's init does before it can answer: the
HTTP and webhook functions' import (settings, logs, container, DynamoDB client, for HTTP the
FastAPI app), the stream consumer's and the reminder job's import plus the builder their first
invocation runs (settings, logs, their clients). Nothing is cached in memory (the OS file cache
is warm, as on a Lambda that reuses its image). The floor is what every boto3 Lambda pays:
`import boto3` plus one DynamoDB client. Samples of the five bodies are interleaved, so machine
load shifts all of them alike and the ratios hold. Run:

    .venv/bin/python -m benchmarks.cold_start [--runs 15] [--profile aws|memory|local]

The `aws` profile is what Lambda runs (no AWS is contacted: creating a client opens nothing).
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
PYCACHE = ROOT / "build" / "pycache"
HEAVY = (
    "stripe",
    "boto3",
    "fastapi",
    "pydantic",
    "pydantic.v1",
    "pydantic_settings",
    "werkzeug",
    "uvicorn",
    "jwt",
    "cryptography",
    "moto",
    "yaml",
)

_PROBE = """
import json, sys, time
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
loaded = [m for m in {heavy!r} if sys.modules.get(m) is not None]
print(json.dumps({{"seconds": elapsed, "loaded": loaded}}))
"""
FLOOR = "import boto3\nboto3.client('dynamodb', region_name='us-east-1')"
# Entry point: (what its cold start runs, the ratio to the floor it must stay within).
ENTRY_POINTS: dict[str, tuple[str, float]] = {
    "http": ("import infra.lambda_http", 1.6),
    "webhook": ("import infra.lambda_webhook", 1.25),
    "stream": ("import infra.lambda_stream as m\nm._consumer()", 1.25),
    "reminders": ("import infra.lambda_reminders as m\nm._job()", 1.25),
}

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
    return measure_all({"": body}, env, runs)[""]


def measure_all(
    bodies: Mapping[str, str], env: Mapping[str, str], runs: int
) -> dict[str, Measurement]:
    """Medians per body; the bodies take turns in every round, after one warming round."""
    for body in bodies.values():
        sample(body, env)
    samples: dict[str, list[tuple[float, float, tuple[str, ...]]]] = {name: [] for name in bodies}
    for _ in range(runs):
        for name, body in bodies.items():
            samples[name].append(sample(body, env))
    return {
        name: Measurement(
            import_ms=statistics.median(s[0] for s in taken) * 1000,
            process_ms=statistics.median(s[1] for s in taken) * 1000,
            loaded=taken[-1][2],
        )
        for name, taken in samples.items()
    }


def environment(profile: str) -> dict[str, str]:
    """This environment with the profile set (and the aws profile's required settings)."""
    # Bytecode is read as a bundle ships it (`make package` compiles every module): written by
    # the warming run into a cache outside the tree, read by every measured one.
    env = {**os.environ, "FLOWLOGIC_PROFILE": profile, "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if profile == "aws":
        env.update({k: v for k, v in _AWS_ENV.items() if k not in os.environ})
    return env


def main(argv: Sequence[str] | None = None) -> int:
    """Print each entry point's cold start beside the boto3 floor, as ratios of one run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cold_start")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", default="aws", choices=("aws", "memory", "local"))
    args = parser.parse_args(argv)
    bodies = {name: body for name, (body, _) in ENTRY_POINTS.items()}
    found = measure_all({**bodies, "floor": FLOOR}, environment(args.profile), args.runs)
    floor = found["floor"]
    python = sys.version.split()[0]
    print(f"cold start: medians of {args.runs} fresh interpreters each, interleaved")
    print(f"(Python {python}, profile {args.profile}, bytecode cached as the bundle ships it)")
    print(f"{'':28}{'init':>9}{'process':>10}{'ratio':>8}{'target':>8}  loads")
    for name, m in found.items():
        target = ENTRY_POINTS[name][1] if name in ENTRY_POINTS else None
        ratio = m.import_ms / floor.import_ms
        label = "boto3 + 1 client (floor)" if name == "floor" else f"infra.lambda_{name}"
        verdict = (
            "" if target is None else f"<={target:.2f}x " + ("ok" if ratio <= target else "MISSED")
        )
        print(
            f"{label:28}{m.import_ms:>7.0f}ms{m.process_ms:>8.0f}ms{ratio:>7.2f}x  {verdict:<13}"
            f"{', '.join(m.loaded)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
