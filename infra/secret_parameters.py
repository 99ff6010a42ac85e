"""Secrets the Lambda functions read at init from SSM Parameter Store, never from plain variables.

`FLOWLOGIC_SECRET_PARAMETERS` names, per setting, the SecureString parameter holding it:
`FLOWLOGIC_JWT_SECRET=/flowlogic/prod/jwt-secret,STRIPE_API_KEY=/flowlogic/prod/stripe/api-key`.
All of a function's parameters come in one `GetParameters` call at init (cached for the life of
the execution environment); the client is closed after it, so nothing connected outlives init
(a SnapStart snapshot would otherwise hold an open connection). Without the variable, settings
come from the environment alone, as on the local profiles
(docs/decisions/154-secrets-from-parameter-store.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from infra.settings import Settings

VARIABLE = "FLOWLOGIC_SECRET_PARAMETERS"


class SecretsUnavailable(RuntimeError):
    """A named parameter is missing or unreadable; the function cannot start without it."""


def parameter_names(text: str) -> dict[str, str]:
    """`NAME=/parameter,...` as {setting variable: parameter name}; ValueError when malformed."""
    names: dict[str, str] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        variable, separator, parameter = (item.strip() for item in entry.partition("="))
        if not separator or not variable or not parameter:
            raise ValueError(f"{VARIABLE}: expected NAME=/parameter/name, got {entry!r}")
        names[variable] = parameter
    return names


def read_parameters(names: Mapping[str, str], client: Any) -> dict[str, str]:
    """The decrypted values of `names` ({variable: parameter}) through one GetParameters call."""
    answer = client.get_parameters(Names=sorted(set(names.values())), WithDecryption=True)
    if answer.get("InvalidParameters"):
        missing = ", ".join(sorted(answer["InvalidParameters"]))
        raise SecretsUnavailable(f"SSM parameters not found: {missing}")
    values = {parameter["Name"]: parameter["Value"] for parameter in answer["Parameters"]}
    return {variable: values[parameter] for variable, parameter in names.items()}


def ssm_client(region: str) -> Any:
    import boto3

    return boto3.client("ssm", region_name=region)


def load_settings(
    environ: Mapping[str, str] | None = None,
    client_factory: Callable[[str], Any] = ssm_client,
) -> Settings:
    """The environment's settings, with the secrets `FLOWLOGIC_SECRET_PARAMETERS` names read in."""
    environment = dict(os.environ if environ is None else environ)
    names = parameter_names(environment.get(VARIABLE, ""))
    if not names:
        return Settings.model_validate(environment)
    plain = Settings.model_validate(environment)
    client = client_factory(plain.aws_region)
    try:
        secrets = read_parameters(names, client)
    finally:
        client.close()
    return Settings.model_validate({**environment, **secrets})
