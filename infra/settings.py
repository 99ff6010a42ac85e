"""Configuration from environment variables (docs/configuration.md), with safe local defaults."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from adapters.dynamodb.layout import Layout, layout_for

# Not pydantic-settings: the Lambda functions read these without importing pydantic (decision 151).
from infra.env_settings import BaseSettings, Field, SecretStr, SettingsConfigDict
from infra.env_settings import SettingsError as SettingsError  # re-exported for the CLI

# Development-only values. In `aws`, the JWT secret is unused (API Gateway verifies tokens) and
# the development webhook secret makes the gateway refuse every webhook (infra/stripe_local.py).
DEV_JWT_SECRET = "flowlogic-local-development-secret-change-me"  # noqa: S105
DEV_STRIPE_API_KEY = "sk_test_flowlogic_local_simulator"
DEV_STRIPE_WEBHOOK_SECRET = "whsec_flowlogic_local_simulator"  # noqa: S105
_URL = r"^https?://[^\s/?#]+(/[^\s?#]*)?$"


class Profile(StrEnum):
    LOCAL = "local"
    MEMORY = "memory"
    AWS = "aws"


class Settings(BaseSettings):
    """Everything the container needs; read once at start."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    profile: Profile = Field(default=Profile.LOCAL, alias="FLOWLOGIC_PROFILE")
    stage: str = Field(default="local", alias="FLOWLOGIC_STAGE", pattern=r"^[a-z0-9-]{1,32}$")
    aws_region: str = Field(default="us-east-1", alias="AWS_DEFAULT_REGION")
    dynamodb_endpoint: str | None = Field(
        default=None, alias="AWS_ENDPOINT_URL_DYNAMODB", pattern=_URL
    )
    jwt_secret: SecretStr = Field(default=SecretStr(DEV_JWT_SECRET), alias="FLOWLOGIC_JWT_SECRET")
    stripe_api_key: SecretStr = Field(default=SecretStr(DEV_STRIPE_API_KEY), alias="STRIPE_API_KEY")
    stripe_webhook_secret: SecretStr = Field(
        default=SecretStr(DEV_STRIPE_WEBHOOK_SECRET), alias="STRIPE_WEBHOOK_SECRET"
    )
    # When set, every Stripe API call goes there (stripe-mock, the Stripe CLI, a test double).
    stripe_api_base: str | None = Field(default=None, alias="STRIPE_API_BASE", pattern=_URL)
    stripe_price_basic: str = Field(default="price_basic", alias="STRIPE_PRICE_BASIC")
    stripe_price_pro: str = Field(default="price_pro", alias="STRIPE_PRICE_PRO")
    stripe_price_proplus: str = Field(default="price_proplus", alias="STRIPE_PRICE_PROPLUS")
    video_bucket: str = Field(default="flowlogic-local-videos", alias="FLOWLOGIC_VIDEO_BUCKET")
    event_bus: str = Field(default="flowlogic-local", alias="FLOWLOGIC_EVENT_BUS")
    public_url: str = Field(
        default="http://127.0.0.1:8000", alias="FLOWLOGIC_PUBLIC_URL", pattern=_URL
    )
    min_quality_score: float = Field(default=0.5, ge=0, le=1, alias="FLOWLOGIC_MIN_QUALITY")
    min_confidence_avg: float = Field(default=0.6, ge=0, le=1, alias="FLOWLOGIC_MIN_CONFIDENCE")
    min_motion_variance: float = Field(default=0.05, ge=0, le=1, alias="FLOWLOGIC_MIN_MOTION")
    index_shards: int = Field(default=16, ge=1, le=256, alias="FLOWLOGIC_INDEX_SHARDS")
    table_layout: Literal["multi", "single"] = Field(
        default="multi", alias="FLOWLOGIC_TABLE_LAYOUT"
    )
    log_level: str = Field(
        default="INFO",
        alias="FLOWLOGIC_LOG_LEVEL",
        pattern=r"^(?i:debug|info|warning|error|critical)$",
    )
    # `auto`: short text lines on a terminal, JSON when the output is not one.
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto", alias="FLOWLOGIC_LOG_FORMAT"
    )

    def uses_development_jwt_secret(self) -> bool:
        return self.jwt_secret.get_secret_value() == DEV_JWT_SECRET

    def layout(self) -> Layout:
        """The configured table layout of the stage (decision 120)."""
        return layout_for(self.table_layout, self.stage, self.index_shards)


# What each checked variable accepts, in the words a bad value is answered with.
ACCEPTS = {
    "FLOWLOGIC_PROFILE": "one of local, memory, aws",
    "FLOWLOGIC_STAGE": "1 to 32 characters of a-z, 0-9 and -",
    "AWS_ENDPOINT_URL_DYNAMODB": "an http:// or https:// URL",
    "STRIPE_API_BASE": "an http:// or https:// URL",
    "FLOWLOGIC_PUBLIC_URL": "an http:// or https:// URL",
    "FLOWLOGIC_MIN_QUALITY": "a number from 0 to 1",
    "FLOWLOGIC_MIN_CONFIDENCE": "a number from 0 to 1",
    "FLOWLOGIC_MIN_MOTION": "a number from 0 to 1",
    "FLOWLOGIC_INDEX_SHARDS": "a whole number from 1 to 256",
    "FLOWLOGIC_TABLE_LAYOUT": "one of multi, single",
    "FLOWLOGIC_LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    "FLOWLOGIC_LOG_FORMAT": "one of auto, json, text",
}
_SECRETS = {"FLOWLOGIC_JWT_SECRET", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"}


def describe_invalid(error: SettingsError) -> list[str]:
    """One line for the invalid variable: its name, the value (never a secret's), what it
    accepts."""
    name = error.variable
    accepted = ACCEPTS.get(name, str(error).split(": ", 1)[-1].lower())
    given = "" if name in _SECRETS else f"={str(error.value)[:60]!r}"
    return [f"invalid configuration: {name}{given}; expected {accepted}"]
