"""Settings read with the standard library (infra/env_settings.py): what pydantic-settings did."""

from __future__ import annotations

from typing import Literal

import pytest

from infra.env_settings import BaseSettings, Field, SecretStr, SettingsError
from infra.settings import DEV_JWT_SECRET, Profile, Settings


def test_settings_come_from_the_environment_with_variable_names_in_any_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("flowlogic_profile", "memory")
    monkeypatch.setenv("FLOWLOGIC_MIN_QUALITY", "0.25")
    monkeypatch.setenv("FLOWLOGIC_INDEX_SHARDS", " 8 ")

    settings = Settings()

    assert settings.profile is Profile.MEMORY
    assert settings.min_quality_score == 0.25
    assert settings.index_shards == 8
    assert settings.dynamodb_endpoint is None


def test_model_validate_reads_only_the_mapping_and_defaults_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLOWLOGIC_STAGE", "from-env")

    settings = Settings.model_validate({"FLOWLOGIC_PROFILE": "aws"})

    assert (settings.profile, settings.stage) == (Profile.AWS, "local")
    assert settings.jwt_secret.get_secret_value() == DEV_JWT_SECRET


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("FLOWLOGIC_PROFILE", "prod", "is not one of local, memory, aws"),
        ("FLOWLOGIC_STAGE", "Prod", "does not match"),
        ("FLOWLOGIC_MIN_QUALITY", "1.5", "is above 1"),
        ("FLOWLOGIC_INDEX_SHARDS", "0", "is below 1"),
        ("FLOWLOGIC_INDEX_SHARDS", "many", "invalid literal"),
    ],
)
def test_a_refused_value_names_its_variable(variable: str, value: str, said: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: .*{said}"):
        Settings.model_validate({variable: value})


def test_settings_are_frozen_copied_with_changes_and_keep_secrets_out_of_reprs() -> None:
    settings = Settings.model_validate({"STRIPE_API_KEY": "sk_live_very_secret"})

    copied = settings.model_copy(update={"public_url": "http://127.0.0.1:9000"})

    with pytest.raises(AttributeError, match="frozen"):
        settings.stage = "other"
    assert copied.public_url == "http://127.0.0.1:9000"
    assert settings.public_url == "http://127.0.0.1:8000"
    assert copied.stripe_api_key == SecretStr("sk_live_very_secret")
    assert "sk_live_very_secret" not in repr(settings) + str(settings.stripe_api_key)
    assert copied != settings
    assert copied.model_copy(update={"public_url": settings.public_url}) == settings


class Layout(BaseSettings):
    layout: Literal["multi", "single"] = Field(default="multi", alias="LAYOUT")
    strict: bool = Field(default=False, alias="STRICT")


def test_literal_and_boolean_fields_accept_their_values_only() -> None:
    assert Layout.model_validate({"LAYOUT": "single", "STRICT": "yes"}).layout == "single"
    assert Layout.model_validate({"STRICT": "on"}).strict is True
    with pytest.raises(SettingsError, match=r"^LAYOUT: 'both' is not one of multi, single"):
        Layout.model_validate({"LAYOUT": "both"})
    with pytest.raises(SettingsError, match=r"^STRICT: 'maybe' is not a boolean"):
        Layout.model_validate({"STRICT": "maybe"})
