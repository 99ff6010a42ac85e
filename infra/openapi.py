"""The HTTP application as the container serves it, and its committed OpenAPI document.

`http_app(container)` is what `flowlogic serve`, the Lambda entry point and the tests run.
`python -m infra.openapi` rewrites api_spec.yaml from the application; `--check` fails when the
committed file and the application disagree.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.logs import request_context
from infra.settings import Profile, Settings

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from infra.container import Container

API_TITLE = "Flow Logic API"
API_VERSION = "1.0.0"
_IN_CHECKOUT = Path(__file__).resolve().parent.parent / "api_spec.yaml"
# The checkout's file; from an installed package (no checkout around it), the working directory's.
SPEC_PATH = _IN_CHECKOUT if _IN_CHECKOUT.exists() else Path("api_spec.yaml")
_CURSOR_KEY_LABEL = b"flowlogic pagination cursors v1"


def cursor_secret(settings: Settings) -> bytes:
    """The key sealing pagination cursors, derived from the service's secret (decision 094)."""
    secret = settings.jwt_secret.get_secret_value().encode()
    return hmac.new(secret, _CURSOR_KEY_LABEL, hashlib.sha256).digest()


def http_app(container: Container, extra_routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The FastAPI application over the container's use cases, for its profile.

    `extra_routers` are mounted beside the ones the container provides (tests add the Stripe
    simulator's this way on the memory profile).
    """
    from adapters.http.app import create_app
    from adapters.http.auth import Authenticator, api_gateway_authenticator, hs256_authenticator
    from ports.payments import PaymentEvent

    settings: Settings = container.settings()
    authenticate: Authenticator
    if settings.profile is Profile.AWS:
        authenticate = api_gateway_authenticator()
    else:
        authenticate = hs256_authenticator(settings.jwt_secret.get_secret_value())

    def parse_payment_event(payload: bytes, signature: str | None) -> PaymentEvent:
        # Resolved on the first webhook: the gateway (and stripe) cost a cold start nothing.
        event: PaymentEvent = container.payments().parse_event(payload, signature)
        return event

    return create_app(
        container.use_cases(),
        authenticate,
        parse_payment_event,
        cursor_secret(settings),
        extra_routers=(*_extra_routers(container), *extra_routers),
        title=API_TITLE,
        version=API_VERSION,
        request_context=request_context,
        now=container.clock().now,
        docs_assets=None if settings.profile is Profile.AWS else docs_assets(),
    )


def docs_assets() -> Path | None:
    """The directory of Swagger UI's files (the `local` extra's fastapi-offline), if installed.

    Found without importing the package: serving the files costs the app no import.
    """
    from importlib.util import find_spec

    from adapters.http.docs import ASSET_FILES

    spec = find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    directory = Path(spec.origin).parent / "static"
    return directory if all((directory / name).is_file() for name in ASSET_FILES) else None


def _extra_routers(container: Container) -> Sequence[APIRouter]:
    """The Stripe simulator's checkout page and REST subset, on the profiles that simulate it."""
    if container.profile() == "aws":
        return ()
    from adapters.stripe.simulator_routes import simulator_router

    return (simulator_router(container.stripe_simulator()),)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The application's OpenAPI 3.1 document."""
    return app.openapi()


def render(document: dict[str, Any]) -> str:
    """The document as YAML, in the application's own key order."""
    import yaml

    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return "# Generated from the application by `python -m infra.openapi`; do not edit.\n" + text


def memory_app() -> FastAPI:
    """The application on the in-memory profile: needs nothing outside the process."""
    from infra.container import create_container
    from infra.di import providers

    container = create_container(Settings.model_validate({"FLOWLOGIC_PROFILE": "memory"}))
    # The document needs no payment gateway; the simulated one needs the `local` extra.
    container.payments.override(providers.Object(None))
    return http_app(container)


def main(argv: Sequence[str] | None = None) -> int:
    """Write api_spec.yaml, or with --check report whether it is up to date."""
    parser = argparse.ArgumentParser(prog="python -m infra.openapi", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if api_spec.yaml is stale")
    parser.add_argument("--output", type=Path, default=SPEC_PATH)
    args = parser.parse_args(argv)
    text = render(openapi_document(memory_app()))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            sys.stderr.write(f"{args.output} is stale: run `python -m infra.openapi`\n")
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    sys.stderr.write(f"wrote {args.output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
