"""Pagination cursors are opaque, tamper-proof and bound to their caller and listing."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.http.cursors import CursorSeal, InvalidCursorToken
from tests.e2e.service import Service
from tests.e2e.users import assess, register

SEAL = CursorSeal(b"k" * 32)
STORE_CURSOR = base64.urlsafe_b64encode(b'{"assessment_id": "a-1", "created_at": "x"}').decode()


def test_a_sealed_cursor_opens_to_the_stores_cursor() -> None:
    token = SEAL.seal(STORE_CURSOR, owner="u1", listing="l")

    assert token is not None
    assert SEAL.open(token, owner="u1", listing="l") == STORE_CURSOR


def test_the_last_page_has_no_cursor_and_no_cursor_means_the_first_page() -> None:
    assert SEAL.seal(None, owner="u1", listing="l") is None
    assert SEAL.open(None, owner="u1", listing="l") is None


@pytest.mark.parametrize(
    ("owner", "listing"), [("u2", "l"), ("u1", "other"), ("u", "1l"), ("u1\x00", "l")]
)
def test_a_cursor_does_not_open_for_another_caller_or_listing(owner: str, listing: str) -> None:
    token = SEAL.seal(STORE_CURSOR, owner="u1", listing="l")

    with pytest.raises(InvalidCursorToken):
        SEAL.open(token, owner=owner, listing=listing)


def test_a_cursor_sealed_with_another_secret_does_not_open() -> None:
    token = CursorSeal(b"x" * 32).seal(STORE_CURSOR, owner="u1", listing="l")

    with pytest.raises(InvalidCursorToken):
        SEAL.open(token, owner="u1", listing="l")


@given(st.data())
def test_changing_any_character_of_a_cursor_is_detected(data: st.DataObject) -> None:
    token = SEAL.seal(STORE_CURSOR, owner="u1", listing="l")
    assert token is not None
    index = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=")
    )
    tampered = token[:index] + replacement + token[index + 1 :]

    if tampered != token:
        with pytest.raises(InvalidCursorToken):
            SEAL.open(tampered, owner="u1", listing="l")


@given(st.text(max_size=300))
def test_no_string_opens_unless_it_was_sealed(garbage: str) -> None:
    with pytest.raises(InvalidCursorToken):
        SEAL.open(garbage, owner="u1", listing="l")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CursorSeal(b"short")


def _flip_last(token: str) -> str:
    return token[:-1] + ("B" if token[-1] != "B" else "C")


def test_pages_follow_each_other_through_the_api(service: Service) -> None:
    user = register(service, "pager", "pager@example.com")
    for test_id in (1, 2, 3):
        assess(service, user, test_id, ["hip"])
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = service.client.get("/v1/me/assessments", params=params, headers=user.headers)
        assert page.status_code == 200
        seen += [item["test_id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break

    assert seen == [3, 2, 1]


def test_a_cursor_of_one_filter_does_not_page_another(service: Service) -> None:
    user = register(service, "filterer", "filterer@example.com")
    for _ in range(2):
        assess(service, user, 1, ["hip"])
    first = service.client.get(
        "/v1/me/assessments", params={"limit": 1, "test_id": 1}, headers=user.headers
    ).json()

    other = service.client.get(
        "/v1/me/assessments",
        params={"limit": 1, "test_id": 2, "cursor": first["next_cursor"]},
        headers=user.headers,
    )
    tampered = service.client.get(
        "/v1/me/assessments",
        params={"limit": 1, "test_id": 1, "cursor": _flip_last(first["next_cursor"])},
        headers=user.headers,
    )

    assert (other.status_code, other.json()["code"]) == (422, "INVALID_CURSOR")
    assert (tampered.status_code, tampered.json()["code"]) == (422, "INVALID_CURSOR")
