"""What the functions' init loads and leaves behind: the webhook never loads FastAPI, and the init
of the two SnapStart functions (HTTP, webhook), which a snapshot captures, leaves no network
connection or thread, draws nothing random, and reseeds `random` after a restore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AWS_FUNCTION_ENV = {
    "FLOWLOGIC_PROFILE": "aws",
    "FLOWLOGIC_STAGE": "init",
    # As read from Parameter Store at init (tests/integration/test_secret_parameters.py).
    "FLOWLOGIC_JWT_SECRET": "init-secret-0123456789abcdef0123456789abcdef",
    "STRIPE_API_KEY": "sk_test_init",
    "STRIPE_WEBHOOK_SECRET": "whsec_init",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def run(script: str) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWLOGIC_", "STRIPE_"))}
    done = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, **AWS_FUNCTION_ENV},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_webhook_function_loads_neither_fastapi_nor_starlette_nor_pydantic() -> None:
    loaded = run(
        """
        import json, sys
        import infra.lambda_webhook
        heavy = ("fastapi", "starlette", "pydantic", "pydantic_settings", "yaml", "werkzeug")
        print(json.dumps([name for name in heavy if sys.modules.get(name) is not None]))
        """
    )

    assert loaded == []


@pytest.mark.parametrize("entry", ["lambda_http", "lambda_webhook"])
def test_a_snapstart_functions_init_leaves_no_connection_or_thread_and_draws_nothing_random(
    entry: str,
) -> None:
    report = run(
        """
        import json, os, random, secrets, sys, threading, types, uuid
        PACKAGES = ("domain", "ports", "application", "adapters", "infra")
        drawn = []
        ours = tuple(os.path.join(os.getcwd(), p) for p in PACKAGES)
        def counting(name, function):
            def wrapper(*args, **kwargs):
                # Libraries name their context keys with uuid4 (opentelemetry, via FastAPI):
                # not secrets, and alike in every process. Only our own draws count.
                caller = sys._getframe(1).f_code.co_filename
                if caller.startswith(ours):
                    drawn.append(f"{name} in {caller}")
                return function(*args, **kwargs)
            return wrapper
        secrets.token_hex = counting("token_hex", secrets.token_hex)
        secrets.token_bytes = counting("token_bytes", secrets.token_bytes)
        uuid.uuid4 = counting("uuid4", uuid.uuid4)
        hooks = types.ModuleType("snapshot_restore_py")
        after_restore = []
        hooks.register_after_restore = after_restore.append
        hooks.register_before_snapshot = lambda hook: None
        sys.modules["snapshot_restore_py"] = hooks

        import infra.ENTRY

        def target(fd):
            try:
                return os.readlink(f"/proc/self/fd/{fd}")
            except FileNotFoundError:  # the listing's own descriptor, closed since
                return ""
        inodes = {
            link[len("socket:["):-1]
            for link in map(target, os.listdir("/proc/self/fd"))
            if link.startswith("socket:")
        }
        # Network sockets only: the event loop's self-pipe is a local socket pair.
        network = set()
        for table in ("tcp", "tcp6", "udp", "udp6"):
            with open(f"/proc/self/net/{table}") as rows:
                network |= {row.split()[9] for row in list(rows)[1:]} & inodes
        state = random.getstate()
        for hook in after_restore:
            hook()
        print(json.dumps({
            "sockets": sorted(network),
            "threads": threading.active_count(),
            "drawn": drawn,
            "hooks": len(after_restore),
            "reseeded": random.getstate() != state,
        }))
        """.replace("ENTRY", entry)
    )

    assert report == {"sockets": [], "threads": 1, "drawn": [], "hooks": 1, "reseeded": True}
