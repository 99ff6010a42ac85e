"""Users: email, profile fields, registration, disclaimer, logins, tiers and log masking."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DisclaimerRequired, InvalidEmail, TierRequired, ValidationFailed
from domain.tiers import Tier
from domain.user import (
    User,
    accept_disclaimer,
    change_tier,
    local_today,
    mask,
    normalize_email,
    record_login,
    register,
    require_disclaimer,
    require_plan_features,
    validate_name,
    validate_timezone,
    validate_user_id,
)

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
USER_ID = "3f2b8c1e-7a4d-4e9b-9c0a-5d6e7f8a9b0c"


def a_user(**changes: object) -> User:
    user = register(USER_ID, "ana@example.com", "Ana", None, NOW)
    return replace(user, **changes)  # type: ignore[arg-type]


# --- email -----------------------------------------------------------------------------------

LOCAL_64 = "a" * 64
# 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 characters, every label within 63.
DOMAIN_189 = f"{'b' * 63}.{'c' * 63}.{'d' * 61}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana@example.com", "ana@example.com"),
        ("  Ana.Lopez@Example.COM \n", "ana.lopez@example.com"),
        ("\tUSER+tag@mail.example.org", "user+tag@mail.example.org"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("first_last-1@sub-domain.example.co.uk", "first_last-1@sub-domain.example.co.uk"),
        ("x@a1.io", "x@a1.io"),
        ("user@example.xn--p1ai", "user@example.xn--p1ai"),
        ("user@xn--bcher-kva.example", "user@xn--bcher-kva.example"),
        (f"{LOCAL_64}@example.com", f"{LOCAL_64}@example.com"),
        (f"{LOCAL_64}@{DOMAIN_189}", f"{LOCAL_64}@{DOMAIN_189}"),
    ],
)
def test_an_email_is_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "plainaddress",
        "@example.com",
        "ana@",
        "ana@@example.com",
        "ana@bob@example.com",
        "ana@localhost",
        "ana@example.c",
        "ana@example.c0m",
        "ana@example.123",
        "ana@-example.com",
        "ana@example-.com",
        "ana@exa_mple.com",
        "ana@example..com",
        "ana@.example.com",
        "ana@example.com.",
        "ana@[192.168.0.1]",
        "ana lopez@example.com",
        "ana@exam ple.com",
        "ana\x00@example.com",
        "ana@example.com\x7f",
        "ana\n@example.com",
        ".ana@example.com",
        "ana.@example.com",
        "an..a@example.com",
        '"ana lopez"@example.com',
        "ana(comment)@example.com",
        "anä@example.com",
        "ana@exämple.com",
        f"{'a' * 65}@example.com",
        f"ana@{'b' * 64}.com",
        f"{LOCAL_64}@{DOMAIN_189}x",
    ],
)
def test_an_address_that_is_not_a_real_email_is_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(raw)


def test_an_invalid_email_error_never_repeats_the_address() -> None:
    secret = "Very.Private.Person@@example.com"
    with pytest.raises(InvalidEmail) as caught:
        normalize_email(secret)
    assert "private" not in str(caught.value).lower()
    assert "private" not in caught.value.detail.lower()
    assert caught.value.code == "INVALID_EMAIL"


@given(st.emails())
def test_every_standard_address_is_accepted_and_normalising_twice_changes_nothing(
    raw: str,
) -> None:
    once = normalize_email(raw)
    assert once == raw.lower()
    assert normalize_email(once) == once
    assert normalize_email(f"  {raw.upper()} ") == once


# --- profile fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "UTC",
        "Europe/Paris",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT+5",
        "America/Port-au-Prince",
    ],
)
def test_a_known_iana_time_zone_is_accepted_as_given(name: str) -> None:
    assert validate_timezone(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "/etc/localtime",
        "/usr/share/zoneinfo/Europe/Paris",
        "../../etc/passwd",
        "Europe/../UTC",
        "Europe//Paris",
        "Europe/Paris ",
        "europe/paris",
        "Mars/Olympus_Mons",
        "America",
        "localtime",
        "Europe/Paris\x00",
        "A" * 65,
        "Etc/" + "A" * 61,
    ],
)
def test_anything_but_a_known_iana_time_zone_is_refused(name: str) -> None:
    with pytest.raises(ValidationFailed):
        validate_timezone(name)


def test_a_name_is_trimmed_and_a_blank_one_means_no_name() -> None:
    assert validate_name("  Ana López ") == "Ana López"
    assert validate_name("   ") is None
    assert validate_name("") is None
    assert validate_name(None) is None


def test_a_name_may_be_one_hundred_characters_but_not_more() -> None:
    assert validate_name("n" * 100) == "n" * 100
    assert validate_name(" " + "n" * 100 + " ") == "n" * 100
    with pytest.raises(ValidationFailed):
        validate_name("n" * 101)


def test_a_name_is_stored_in_composed_unicode_form() -> None:
    decomposed = "Jose\u0301"
    assert validate_name(decomposed) == "Jos\u00e9"


@pytest.mark.parametrize(
    "name", ["Ana\nLopez", "Ana\x00", "Ana\x1b[31m", "Ana\u2028Lopez", "\ud800"]
)
def test_a_name_with_control_characters_is_refused(name: str) -> None:
    with pytest.raises(ValidationFailed):
        validate_name(name)


@pytest.mark.parametrize("user_id", [USER_ID, "auth0|5f7c8ec7c33c6c004bbafe82", "1" * 128])
def test_a_uuid_or_identity_provider_subject_is_a_valid_user_id(user_id: str) -> None:
    assert validate_user_id(user_id) == user_id


@pytest.mark.parametrize(
    "user_id", ["", "1" * 129, "abc def", "abc\n", "ünïcode", "EMAIL#a@b.co", "a#SUB#x", "#"]
)
def test_an_empty_overlong_unprintable_or_key_spelling_user_id_is_refused(user_id: str) -> None:
    with pytest.raises(ValidationFailed):
        validate_user_id(user_id)


# --- registration and life cycle -------------------------------------------------------------


def test_registration_creates_a_free_user_who_has_not_accepted_the_disclaimer() -> None:
    user = register(USER_ID, " Ana@Example.com ", " Ana ", None, NOW)
    assert user.user_id == USER_ID
    assert user.email == "ana@example.com"
    assert user.name == "Ana"
    assert user.tier is Tier.FREE
    assert user.wellness_disclaimer_accepted is False
    assert user.wellness_disclaimer_accepted_at is None
    assert user.created_at == NOW
    assert user.updated_at == NOW
    assert user.last_login_at is None
    assert user.timezone == "UTC"


def test_registration_keeps_a_valid_time_zone_and_stores_times_in_utc() -> None:
    paris_morning = datetime(2026, 3, 10, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    user = register(USER_ID, "ana@example.com", None, "Europe/Paris", paris_morning)
    assert user.timezone == "Europe/Paris"
    assert user.created_at == NOW
    assert user.created_at.utcoffset() == timedelta(0)


def test_registration_refuses_a_bad_email_time_zone_or_name() -> None:
    with pytest.raises(InvalidEmail):
        register(USER_ID, "not-an-email", None, None, NOW)
    with pytest.raises(ValidationFailed):
        register(USER_ID, "ana@example.com", None, "Nowhere/City", NOW)
    with pytest.raises(ValidationFailed):
        register(USER_ID, "ana@example.com", "x" * 101, None, NOW)


def test_registration_needs_an_aware_clock_reading() -> None:
    with pytest.raises(ValueError, match="aware"):
        register(USER_ID, "ana@example.com", None, None, datetime(2026, 3, 10, 9, 30))  # noqa: DTZ001


def test_accepting_the_disclaimer_records_the_time() -> None:
    accepted = accept_disclaimer(a_user(), NOW + timedelta(minutes=5))
    assert accepted.wellness_disclaimer_accepted is True
    assert accepted.wellness_disclaimer_accepted_at == NOW + timedelta(minutes=5)
    assert accepted.updated_at == NOW + timedelta(minutes=5)


def test_accepting_the_disclaimer_again_changes_nothing() -> None:
    first = accept_disclaimer(a_user(), NOW + timedelta(minutes=5))
    again = accept_disclaimer(first, NOW + timedelta(days=3))
    assert again == first
    assert again.wellness_disclaimer_accepted_at == NOW + timedelta(minutes=5)
    assert again.updated_at == NOW + timedelta(minutes=5)


def test_a_user_cannot_claim_acceptance_without_its_time() -> None:
    with pytest.raises(ValueError, match="together"):
        a_user(wellness_disclaimer_accepted=True)


def test_assessments_require_the_accepted_disclaimer() -> None:
    with pytest.raises(DisclaimerRequired):
        require_disclaimer(a_user())
    require_disclaimer(accept_disclaimer(a_user(), NOW))


def test_logging_in_records_the_time_of_the_login() -> None:
    later = NOW + timedelta(hours=2)
    user = record_login(a_user(), later)
    assert user.last_login_at == later
    assert user.updated_at == later
    assert user.created_at == NOW


def test_changing_the_tier_records_it_and_the_same_tier_changes_nothing() -> None:
    later = NOW + timedelta(days=1)
    pro = change_tier(a_user(), Tier.PRO, later)
    assert pro.tier is Tier.PRO
    assert pro.updated_at == later
    assert change_tier(pro, Tier.PRO, later + timedelta(days=1)) == pro


def test_plans_need_basic_or_higher() -> None:
    with pytest.raises(TierRequired):
        require_plan_features(Tier.FREE)
    for tier in (Tier.BASIC, Tier.PRO, Tier.PROPLUS):
        require_plan_features(tier)


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("UTC", datetime(2026, 1, 1, 23, 59, tzinfo=UTC), date(2026, 1, 1)),
        # Auckland is UTC+13 in January: its new day starts at 11:00 UTC.
        ("Pacific/Auckland", datetime(2026, 1, 1, 10, 59, tzinfo=UTC), date(2026, 1, 1)),
        ("Pacific/Auckland", datetime(2026, 1, 1, 11, 0, tzinfo=UTC), date(2026, 1, 2)),
        # Los Angeles is UTC-8 in January: still yesterday until 08:00 UTC.
        ("America/Los_Angeles", datetime(2026, 1, 1, 7, 59, tzinfo=UTC), date(2025, 12, 31)),
        ("America/Los_Angeles", datetime(2026, 1, 1, 8, 0, tzinfo=UTC), date(2026, 1, 1)),
    ],
)
def test_today_is_the_date_in_the_users_time_zone(
    zone: str, moment: datetime, expected: date
) -> None:
    assert local_today(a_user(timezone=zone), moment) == expected


def test_a_stored_zone_unknown_to_this_machine_falls_back_to_utc() -> None:
    late = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    assert local_today(a_user(timezone="Gone/Zone"), late) == date(2026, 1, 1)


# --- masking for logs ------------------------------------------------------------------------


def test_a_mask_is_a_short_stable_tag() -> None:
    assert mask("ana@example.com") == mask("ana@example.com")
    assert re.fullmatch(r"u_[0-9a-f]{10}", mask("ana@example.com"))
    assert re.fullmatch(r"u_[0-9a-f]{10}", mask(USER_ID))


def test_different_values_get_different_masks() -> None:
    assert mask("ana@example.com") != mask("bob@example.com")
    assert mask(USER_ID) != mask(USER_ID.upper())


@pytest.mark.parametrize("value", ["ana.lopez@example.com", USER_ID, "auth0|5f7c8ec7c33c6c004bb"])
def test_a_mask_contains_no_part_of_what_it_masks(value: str) -> None:
    tag = mask(value)
    assert "@" not in tag
    pieces = {value[i : i + 4] for i in range(len(value) - 3)}
    assert not any(piece in tag for piece in pieces)
