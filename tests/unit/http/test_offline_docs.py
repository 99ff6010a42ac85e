"""/docs works offline: the page and everything it references come from the service itself."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from starlette.testclient import TestClient

from infra.openapi import docs_assets, memory_app

BASE = "http://testserver"
_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


def test_the_docs_page_and_every_asset_it_references_are_served_here() -> None:
    client = TestClient(memory_app(), base_url=BASE)

    page = client.get("/docs")

    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    assert re.findall(r"(?:https?:)?//[\w.-]+", page.text) == []  # no other host, no CDN
    references = [a or b for a, b in _REFERENCE.findall(page.text)]
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"} <= set(references)
    assert "/openapi.json" in references
    for reference in references:
        answer = client.get(urljoin(f"{BASE}/docs", reference))
        assert answer.status_code == 200, reference
        assert answer.content, reference


def test_swagger_ui_does_not_call_the_online_validator() -> None:
    page = TestClient(memory_app(), base_url=BASE).get("/docs").text

    assert '"validatorUrl": null' in page


def test_no_other_docs_page_is_served() -> None:
    client = TestClient(memory_app(), base_url=BASE)

    assert client.get("/redoc").status_code == 404


def test_the_assets_come_with_the_local_extra() -> None:
    assets = docs_assets()

    assert assets is not None
    assert (assets / "swagger-ui-bundle.js").stat().st_size > 100_000
