"""`flowlogic demo`: one user's journey through the API, printed step by step.

It talks HTTP to a running service (or one `flowlogic demo` starts in process), with tokens
minted from FLOWLOGIC_JWT_SECRET: register, accept the disclaimer, film two tests, let the
worker report, upgrade to pro through the checkout, get a plan, schedule the calendar, do
today's exercises and read the streak.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import IO, Any

import httpx2 as httpx

from infra.settings import Settings
from infra.tokens import mint_token

RESULTS: Mapping[int, Mapping[str, Any]] = {
    1: {"score": "limited", "confidence": 0.91, "problem_areas": ["ankle", "knee"]},
    6: {"score": "significant", "confidence": 0.84, "problem_areas": ["thoracic_spine"]},
    13: {"score": "pass", "confidence": 0.93, "problem_areas": []},
}


class DemoFailed(Exception):
    """A step answered something other than what the journey expects."""


class _Journey:
    def __init__(self, http: httpx.Client, out: IO[str], headers: dict[str, str]) -> None:
        self.http = http
        self.out = out
        self.headers = headers
        self.step = 0

    def say(self, text: str) -> None:
        self.step += 1
        self.out.write(f"{self.step:>2}. {text}\n")

    def detail(self, text: str) -> None:
        self.out.write(f"      {text}\n")

    def call(
        self,
        method: str,
        path: str,
        expect: int,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        response = self.http.request(method, path, headers=headers or self.headers, **kwargs)
        if response.status_code != expect:
            raise DemoFailed(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None


def run_demo(base_url: str, settings: Settings, out: IO[str]) -> int:
    """Walk the journey against `base_url`; 0 when every step answered as expected."""
    secret = settings.jwt_secret.get_secret_value()
    sub = f"demo-{uuid.uuid4().hex[:12]}"
    email = f"{sub}@example.com"
    user = {"Authorization": "Bearer " + mint_token(secret, sub, email, ttl_seconds=900)}
    worker_token = mint_token(secret, "demo-worker", groups=("worker",), ttl_seconds=900)
    worker = {"Authorization": "Bearer " + worker_token}
    out.write(f"Flow Logic demo against {base_url}\n\n")
    with httpx.Client(base_url=base_url, timeout=30) as http:
        journey = _Journey(http, out, user)
        try:
            _walk(journey, sub, email, worker)
        except (DemoFailed, httpx.HTTPError) as error:
            out.write(f"\nThe demo stopped: {error}\n")
            return 1
    out.write("\nDone: the journey went from registration to a streak.\n")
    return 0


def _walk(j: _Journey, sub: str, email: str, worker: dict[str, str]) -> None:
    tests = j.call("GET", "/v1/tests", 200)
    j.say(f"The catalog has {len(tests)} movement tests, e.g. {tests[0]['name']}.")

    profile = j.call("PUT", "/v1/me", 201, json={"email": email, "name": "Demo User"})
    j.say(f"Registered {profile['email']} on the {profile['tier']} tier.")
    j.call("POST", "/v1/me/disclaimer", 200)
    j.say("Accepted the wellness disclaimer.")

    for test_id, verdict in RESULTS.items():
        started = j.call("POST", "/v1/me/assessments", 201, json={"test_id": test_id})
        j.say(f"Started {started['test_name']} (attempt {started['attempt_number']}).")
        j.detail(f"upload the video with PUT {started['upload_url'][:60]}...")
        report = {
            "quality_score": 0.92,
            "confidence_avg": 0.88,
            "motion_variance": 0.31,
            "result": dict(verdict),
        }
        path = f"/v1/worker/assessments/{sub}/{started['assessment_id']}/result"
        done = j.call("POST", path, 200, headers=worker, json=report)
        areas = ", ".join(done["result"]["problem_areas"]) or "none"
        j.detail(f"the worker reported {done['result']['score']} (problem areas: {areas})")

    limits = j.call("GET", "/v1/me/limits", 200)
    j.say(
        f"Videos today: {limits['video_quota_used_daily']} of {limits['video_quota_day']}; "
        f"tests this month: {limits['test_quota_used_monthly']} of {limits['test_quota_month']}."
    )

    checkout = j.call(
        "POST",
        "/v1/me/checkout",
        201,
        json={
            "tier": "pro",
            "success_url": "https://app.flowlogic.example/billing/done",
            "cancel_url": "https://app.flowlogic.example/billing",
        },
    )
    j.say(f"Checkout for pro opened at {checkout['url']}")
    _pay(j, checkout["url"])
    upgraded = j.call("GET", "/v1/me", 200)
    j.detail(f"paid: the profile is now on the {upgraded['tier']} tier")
    if upgraded["tier"] != "pro":
        raise DemoFailed("the upgrade did not reach the profile")

    plan = j.call("POST", "/v1/me/plans", 201)
    phases = " -> ".join(f"{p['focus']} {p['duration_weeks']}w" for p in plan["phases"])
    j.say(f"Plan v{plan['version']}: root causes {plan['problem_areas']['p1']}, phases {phases}.")

    scheduled = j.call("POST", "/v1/me/calendar", 201, json={"days": 7})
    today = min(task["task_date"] for task in scheduled["tasks"])
    todays = [task for task in scheduled["tasks"] if task["task_date"] == today]
    j.say(f"Scheduled {len(scheduled['tasks'])} exercises over 7 days; {len(todays)} today.")
    progress: dict[str, Any] = {}
    for task in todays:
        path = f"/v1/me/calendar/{task['task_date']}/{task['task_id']}"
        progress = j.call("PUT", path, 200, json={"completed": True})["progress"]
        j.detail(
            f"done: {task['name']}, {_dose(task['dosage'])} ({progress['completion_percentage']}%)"
        )

    report = j.call("GET", "/v1/me/progress", 200, params={"from": today, "to": today})
    j.say(
        f"Streak: {report['current_streak']} day(s), best {report['best_streak']}, "
        f"{progress.get('streak_points', 0)} streak points today."
    )


def _dose(dosage: dict[str, int] | None) -> str:
    """`3 x 10 reps, rest 45 s` or `2 x 30 s hold, rest 30 s`; a retest has none."""
    if dosage is None:
        return "no dosage"
    work = (
        f"{dosage['reps']} reps"
        if dosage["reps"] is not None
        else f"{dosage['hold_seconds']} s hold"
    )
    return f"{dosage['sets']} x {work}, rest {dosage['rest_seconds']} s"


def _pay(j: _Journey, url: str) -> None:
    """Pay on the checkout page the service serves for the Stripe simulator."""
    page = j.http.get(url)
    if page.status_code != 200:
        raise DemoFailed(f"the checkout page answered {page.status_code}")
    confirmed = j.http.post(url + "/confirm", follow_redirects=False)
    if confirmed.status_code != 303:
        raise DemoFailed(f"confirming the checkout answered {confirmed.status_code}")
    j.detail("confirmed on the simulator's checkout page; Stripe's events went to the webhook")
