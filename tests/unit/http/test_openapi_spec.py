"""api_spec.yaml is the application's own OpenAPI 3.1 document, and it names every route."""

from __future__ import annotations

import json
from typing import Any

import yaml
from openapi_spec_validator import validate

from infra.openapi import SPEC_PATH, memory_app, openapi_document, render

# The outside contract (docs/rules.md).
CONTRACT_ROUTES = {
    ("GET", "/health"),
    ("GET", "/v1/tests"),
    ("PUT", "/v1/me"),
    ("GET", "/v1/me"),
    ("DELETE", "/v1/me"),
    ("POST", "/v1/me/login"),
    ("POST", "/v1/me/disclaimer"),
    ("GET", "/v1/me/limits"),
    ("POST", "/v1/me/assessments"),
    ("GET", "/v1/me/assessments"),
    ("GET", "/v1/me/assessments/{assessment_id}"),
    ("POST", "/v1/me/plans"),
    ("GET", "/v1/me/plans/active"),
    ("POST", "/v1/me/calendar"),
    ("GET", "/v1/me/calendar"),
    ("PUT", "/v1/me/calendar/{task_date}/{task_id}"),
    ("GET", "/v1/me/progress"),
    ("GET", "/v1/me/streaks/top"),
    ("POST", "/v1/me/checkout"),
    ("GET", "/v1/me/subscriptions"),
    ("POST", "/v1/me/subscription/cancel"),
    ("GET", "/v1/me/export"),
    ("POST", "/v1/worker/assessments/{user_id}/{assessment_id}/result"),
    ("POST", "/v1/worker/assessments/{user_id}/{assessment_id}/failure"),
    ("PUT", "/v1/admin/users/{user_id}/ban"),
    ("DELETE", "/v1/admin/users/{user_id}/ban"),
    ("GET", "/v1/admin/analytics/assessments"),
    ("POST", "/v1/stripe/webhook"),
}


def _document() -> dict[str, Any]:
    normalised: dict[str, Any] = json.loads(json.dumps(openapi_document(memory_app())))
    return normalised


def test_the_committed_spec_is_the_applications_document() -> None:
    committed = SPEC_PATH.read_text(encoding="utf-8")
    document = _document()

    assert yaml.safe_load(committed) == document, "api_spec.yaml is stale: python -m infra.openapi"
    assert committed == render(document), "api_spec.yaml is stale: python -m infra.openapi"


def test_the_document_is_valid_openapi_3_1() -> None:
    document = _document()

    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_the_document_has_every_route_of_the_contract() -> None:
    paths = _document()["paths"]
    routes = {(method.upper(), path) for path, item in paths.items() for method in item}

    assert routes == CONTRACT_ROUTES


def test_every_error_answer_is_documented_as_a_problem() -> None:
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                content = response["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
                schema = content["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ProblemOut"}


def test_protected_operations_declare_bearer_security() -> None:
    document = _document()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            public = path in ("/health", "/v1/tests", "/v1/stripe/webhook")
            assert bool(operation.get("security")) is not public, (method, path)
            if not public:
                assert "401" in operation["responses"], (method, path)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_every_reference_resolves_from_the_documents_root() -> None:
    document = _document()
    refs = _refs(document)

    assert len(refs) > 100  # every operation's problem answers at least
    for ref in set(refs):
        _resolve(document, ref)


def test_the_validator_resolves_every_reference_of_the_committed_file() -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    committed = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    errors = list(OpenAPIV31SpecValidator(committed).iter_errors())

    assert errors == []
    for ref in set(_refs(committed)):
        _resolve(committed, ref)
