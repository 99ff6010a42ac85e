"""Secrets at run time: one GetParameters call at init reads a function's secrets from SSM
Parameter Store (moto here); environment variables keep working for the local profiles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.secret_parameters import (
    VARIABLE,
    SecretsUnavailable,
    load_settings,
    parameter_names,
)
from infra.settings import DEV_JWT_SECRET
from tests.support.dynamodb_backend import embedded_server

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
CREDENTIALS: dict[str, Any] = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def moto_url() -> str:
    return embedded_server().start()


@pytest.fixture
def stage(moto_url: str) -> str:
    """A fresh stage whose three secrets are SecureString parameters."""
    name = "sec" + uuid.uuid4().hex[:8]
    ssm = boto3.client("ssm", endpoint_url=moto_url, region_name=REGION, **CREDENTIALS)
    for parameter, value in {
        "jwt-secret": f"jwt-{name}-0123456789abcdef0123456789abcdef",
        "stripe/api-key": f"sk_live_{name}",
        "stripe/webhook-secret": f"whsec_{name}",
    }.items():
        ssm.put_parameter(Name=f"/flowlogic/{name}/{parameter}", Value=value, Type="SecureString")
    return name


def names(stage: str, *variables: str) -> str:
    paths = {
        "FLOWLOGIC_JWT_SECRET": "jwt-secret",
        "STRIPE_API_KEY": "stripe/api-key",
        "STRIPE_WEBHOOK_SECRET": "stripe/webhook-secret",
    }
    return ",".join(f"{v}=/flowlogic/{stage}/{paths[v]}" for v in variables)


class Recorder:
    """Builds SSM clients on moto and records the calls made and whether each was closed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.calls: list[str] = []
        self.closed = 0

    def __call__(self, region: str) -> Any:
        client = boto3.client("ssm", endpoint_url=self.url, region_name=region, **CREDENTIALS)
        client.meta.events.register(
            "before-call.ssm.*", lambda model, **_: self.calls.append(model.name)
        )
        close = client.close

        def closing() -> None:
            self.closed += 1
            close()

        client.close = closing
        return client


def test_a_functions_secrets_come_from_one_call_at_init_and_the_client_is_closed(
    moto_url: str, stage: str
) -> None:
    recorder = Recorder(moto_url)
    environ = {
        "FLOWLOGIC_PROFILE": "aws",
        "AWS_DEFAULT_REGION": REGION,
        VARIABLE: names(stage, "FLOWLOGIC_JWT_SECRET", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"),
    }

    settings = load_settings(environ, recorder)

    assert recorder.calls == ["GetParameters"]
    assert recorder.closed == 1
    assert settings.jwt_secret.get_secret_value().startswith(f"jwt-{stage}-")
    assert settings.stripe_api_key.get_secret_value() == f"sk_live_{stage}"
    assert settings.stripe_webhook_secret.get_secret_value() == f"whsec_{stage}"
    assert f"sk_live_{stage}" not in repr(settings)


def test_a_missing_parameter_stops_the_function_at_init_naming_it(
    moto_url: str, stage: str
) -> None:
    environ = {
        "FLOWLOGIC_PROFILE": "aws",
        "AWS_DEFAULT_REGION": REGION,
        VARIABLE: f"STRIPE_API_KEY=/flowlogic/{stage}/stripe/nope",
    }

    with pytest.raises(SecretsUnavailable, match=f"/flowlogic/{stage}/stripe/nope"):
        load_settings(environ, Recorder(moto_url))


def test_without_named_parameters_settings_come_from_the_environment_alone(
    moto_url: str,
) -> None:
    recorder = Recorder(moto_url)

    local = load_settings({"FLOWLOGIC_PROFILE": "local"}, recorder)
    given = load_settings({"FLOWLOGIC_JWT_SECRET": "from-the-environment"}, recorder)

    assert recorder.calls == []
    assert local.jwt_secret.get_secret_value() == DEV_JWT_SECRET
    assert given.jwt_secret.get_secret_value() == "from-the-environment"


@pytest.mark.parametrize("text", ["STRIPE_API_KEY", "=/x", "STRIPE_API_KEY=", "A=/a,,B"])
def test_the_parameter_list_is_read_strictly(text: str) -> None:
    with pytest.raises(ValueError, match=f"{VARIABLE}: expected NAME=/parameter/name"):
        parameter_names(text)


def test_the_webhook_function_starts_with_the_secrets_of_its_parameters(
    moto_url: str, stage: str
) -> None:
    script = textwrap.dedent(
        """
        import json
        import infra.lambda_webhook as webhook
        settings = webhook.settings
        print(json.dumps([settings.stripe_api_key.get_secret_value(),
                          settings.stripe_webhook_secret.get_secret_value()]))
        """
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STRIPE_", "FLOWLOGIC_"))
    }
    env.update(
        {
            "FLOWLOGIC_PROFILE": "aws",
            "FLOWLOGIC_STAGE": stage,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL_SSM": moto_url,
            VARIABLE: names(stage, "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"),
        }
    )

    done = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        f"sk_live_{stage}",
        f"whsec_{stage}",
    ]
