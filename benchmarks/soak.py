"""`make soak`: the service on the local profile, many virtual users over HTTP, invariants after.

Starts the app (local profile: embedded DynamoDB, Stripe simulator) under uvicorn on a free
loopback port, then runs virtual users for `--seconds`: two per user account, so one account's
requests race each other the way a retrying app and a fast thumb make them. They register, log
in, accept the disclaimer, start attempts, post worker results and failures, check out (Stripe
webhooks are held back, delivered late, out of order and again), cancel, generate plans,
schedule, complete and undo tasks (sometimes three taps at once), read, and erase the account.

Afterwards every invariant of SPEC.md is checked from outside, on each account's export
(`GET /v1/me/export`): progress counts equal the tasks' states and streaks follow the
recurrence; quota counters equal what was admitted and never pass the limits; at most one
active plan, and no open task of another plan from today on; the tier equals the entitlement
over the stored subscriptions; nothing of an erased account is left. Any 5xx, or a 409/503
without Retry-After, is a violation too. Prints requests per second, p50/p95/p99 per route and
the number of violations; exits 1 when there is any.

    python -m benchmarks.soak [--seconds 60] [--users 6] [--seed 12]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import queue
import random
import socket
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import urllib3
import uvicorn

from adapters.stripe.simulator import sign
from infra.container import Container, create_container
from infra.openapi import http_app
from infra.settings import Settings
from infra.tokens import mint_token

SECRET = "soak-secret-long-enough-for-hs256-signing-of-local-tokens"  # noqa: S105 (local only)
WEBHOOK_SECRET = "whsec_soak_secret"  # noqa: S105 (local only)
STREAK_PERCENT = 70  # SPEC.md 7: a date counts at 70% and above
GRANTING = ("active", "past_due")
REQUEST_SLACK = timedelta(seconds=10)
JSON = dict[str, Any]


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Report:
    """Every request's route, status and latency, and every violation found."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, route: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[route].append(seconds)
            self.statuses[route][status] += 1

    def violation(self, text: str) -> None:
        with self.lock:
            self.violations.append(text)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (not empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Api:
    """The service over HTTP: records every answer, flags 5xx and retry answers without a hint."""

    def __init__(self, base_url: str, report: Report) -> None:
        self.base_url = base_url
        self.report = report
        self._http = urllib3.PoolManager(maxsize=64, retries=False, timeout=60.0)

    def call(
        self,
        method: str,
        route: str,
        path: str,
        token: str | None = None,
        body: JSON | None = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        answer = self._http.request(
            method, self.base_url + path, body=data, headers=sent, redirect=False
        )
        self.report.record(f"{method} {route}", answer.status, time.perf_counter() - started)
        if answer.status >= 500:
            self.report.violation(f"{method} {path}: {answer.status} {answer.data[:200]!r}")
        if answer.status in (409, 503) and "Retry-After" not in answer.headers:
            code = _code(answer.data)
            if code == "CONFLICT" or answer.status == 503:
                self.report.violation(f"{method} {path}: {answer.status} without Retry-After")
        try:
            return answer.status, json.loads(answer.data) if answer.data else None
        except ValueError:
            return answer.status, None


def _code(data: bytes) -> str | None:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value.get("code") if isinstance(value, dict) else None


# --- the service -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def service(endpoint: str | None = None) -> Iterator[tuple[str, Container]]:
    """The app on the local profile under uvicorn on a free loopback port, its own stage."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    values = {
        "FLOWLOGIC_PROFILE": "local",
        "FLOWLOGIC_JWT_SECRET": SECRET,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "FLOWLOGIC_PUBLIC_URL": url,
        "FLOWLOGIC_STAGE": f"soak-{uuid.uuid4().hex[:8]}",
        "FLOWLOGIC_LOG_LEVEL": "ERROR",
    }
    if endpoint is not None:
        values["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    container = create_container(Settings.model_validate(values))
    config = uvicorn.Config(
        http_app(container),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        # Longer than any pause of a virtual user: the server never closes a pooled connection
        # just as a client reuses it.
        timeout_keep_alive=120,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="soak-server", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    try:
        yield url, container
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        container.shutdown_resources()


class Mailbag:
    """Stripe's deliveries, held back and repeated: webhooks duplicated and out of order."""

    def __init__(self, api: Api, rng: random.Random) -> None:
        self._api = api
        self._rng = rng
        self._lock = threading.Lock()
        self._held: list[bytes] = []
        self._seen: list[bytes] = []
        self._outbox: queue.Queue[bytes | None] = queue.Queue()

    def deliver(self, payload: bytes, _signature: str) -> None:
        """The simulator's delivery: soon (by the courier thread, as Stripe sends from elsewhere,
        never inside the request that caused it), or held for later (a third of them)."""
        with self._lock:
            self._seen.append(payload)
            if self._rng.random() < 0.33:
                self._held.append(payload)
                return
        self._outbox.put(payload)

    def courier(self) -> None:
        """Deliver queued events in order until `close`."""
        while (payload := self._outbox.get()) is not None:
            try:
                self.post(payload)
            except Exception as error:  # a broken connection is a finding, not a crash
                self._api.report.violation(f"webhook delivery: {error!r}")

    def close(self) -> None:
        self._outbox.put(None)

    def post(self, payload: bytes) -> None:
        signature = sign(payload, WEBHOOK_SECRET, int(time.time()))
        headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
        status, answer = self._api.call(
            "POST", "/v1/stripe/webhook", "/v1/stripe/webhook", raw=payload, headers=headers
        )
        if status in (409, 503):
            with self._lock:
                self._held.append(payload)  # Stripe retries these later
            return
        if status != 200:
            kind = json.loads(payload).get("type")
            self._api.report.violation(f"a signed {kind} webhook answered {status}: {answer}")

    def shuffle_out(self, everything: bool = False) -> None:
        """Deliver held events in random order, and some delivered ones again."""
        with self._lock:
            if everything:
                batch, self._held = self._held, []
            else:
                count = self._rng.randint(0, len(self._held))
                batch = [self._held.pop(self._rng.randrange(len(self._held))) for _ in range(count)]
            if self._seen and not everything:
                batch += self._rng.sample(self._seen, min(2, len(self._seen)))
        self._rng.shuffle(batch)
        for payload in batch:
            self.post(payload)


# --- virtual users -------------------------------------------------------------------------


@dataclass
class Account:
    """One user account shared by two virtual users; erasure moves it to a new user id."""

    slot: int
    generation: int = 0
    attempts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Held by registration and erasure only: every other request races the erasure freely.
    registering: threading.Lock = field(default_factory=threading.Lock)

    @property
    def user_id(self) -> str:
        return f"soak-{self.slot}-{self.generation}"


class Users:
    def __init__(self, api: Api, mailbag: Mailbag, container: Container, accounts: int) -> None:
        self.api = api
        self.mailbag = mailbag
        self.simulator = container.stripe_simulator()
        self.accounts = [Account(slot) for slot in range(accounts)]
        self.erased: list[str] = []
        self.live: set[str] = set()
        self._lock = threading.Lock()
        self.worker = mint_token(SECRET, "soak-worker", None, ("worker",), 86_400)
        self.tests: dict[int, list[str]] = {}

    def token(self, user_id: str) -> str:
        return mint_token(SECRET, user_id, f"{user_id}@example.com", (), 86_400)

    def register(self, user_id: str, account: Account | None = None) -> None:
        """PUT /v1/me; never with the id of an account erased meanwhile (that would be a new
        account under an erased id, which the erasure check could not tell apart)."""
        body = {"email": f"{user_id}@example.com", "timezone": "UTC"}
        with contextlib.nullcontext() if account is None else account.registering:
            if account is not None and account.user_id != user_id:
                return
            status, _ = self.api.call("PUT", "/v1/me", "/v1/me", self.token(user_id), body)
        if status in (200, 201):
            with self._lock:
                self.live.add(user_id)

    # One action of a virtual user on its account -------------------------------------------

    def act(self, rng: random.Random, account: Account) -> None:
        user_id = account.user_id
        token = self.token(user_id)
        actions: list[tuple[float, Callable[[], object]]] = [
            (4, lambda: self.register(user_id, account)),
            (3, lambda: self._post(token, "/v1/me/login")),
            (3, lambda: self._post(token, "/v1/me/disclaimer")),
            (8, lambda: self._attempt(rng, account, token)),
            (8, lambda: self._worker(rng, account)),
            (3, lambda: self._checkout(rng, token)),
            (2, lambda: self._post(token, "/v1/me/subscription/cancel")),
            (2, lambda: self._stripe_moves(rng, token)),
            (3, lambda: self._post(token, "/v1/me/plans")),
            (4, lambda: self._schedule(rng, token)),
            (16, lambda: self._tap(rng, token)),
            (6, lambda: self._read(rng, token)),
            (3, lambda: self.mailbag.shuffle_out()),
            (0.3, lambda: self._erase(account, user_id, token)),
        ]
        weights = [w for w, _ in actions]
        rng.choices([a for _, a in actions], weights)[0]()

    def _post(self, token: str, path: str, body: JSON | None = None) -> tuple[int, Any]:
        return self.api.call("POST", path, path, token, body)

    def _attempt(self, rng: random.Random, account: Account, token: str) -> None:
        test_id = rng.randint(1, 3)
        status, body = self._post(token, "/v1/me/assessments", {"test_id": test_id})
        if status == 201 and isinstance(body, dict):
            with account.lock:
                account.attempts.append(str(body["assessment_id"]))

    def _worker(self, rng: random.Random, account: Account) -> None:
        with account.lock:
            if not account.attempts:
                return
            # Usually the next one; sometimes one already reported (a worker retrying).
            assessment_id = rng.choice(account.attempts)
            if rng.random() < 0.7:
                account.attempts.remove(assessment_id)
        base = f"/v1/worker/assessments/{account.user_id}/{assessment_id}"
        if rng.random() < 0.25:
            route = "/v1/worker/assessments/{user_id}/{assessment_id}/failure"
            body: JSON = {"feedback": "the worker ran out of memory"}
            self.api.call("POST", route, base + "/failure", self.worker, body)
            return
        score = rng.choice(["pass", "limited", "significant"])
        result: JSON = {"score": score, "confidence": 0.9, "problem_areas": []}
        if score != "pass":
            result["problem_areas"] = ["ankle"]
        body = {
            "quality_score": 0.9,
            "confidence_avg": 0.9,
            "motion_variance": 0.4,
            "result": result,
        }
        route = "/v1/worker/assessments/{user_id}/{assessment_id}/result"
        self.api.call("POST", route, base + "/result", self.worker, body)

    def _checkout(self, rng: random.Random, token: str) -> None:
        body = {
            "tier": rng.choice(["basic", "basic", "pro", "proplus"]),
            "success_url": "https://app.example.com/ok",
            "cancel_url": "https://app.example.com/no",
        }
        status, answer = self._post(token, "/v1/me/checkout", body)
        if status != 201 or not isinstance(answer, dict):
            return
        page = urllib.parse.urlsplit(str(answer["url"])).path
        self.api.call("POST", "/stripe-sim/checkout/{id}/confirm", page + "/confirm")

    def _stripe_moves(self, rng: random.Random, token: str) -> None:
        """Stripe moves a subscription on its own: renewal, a failed payment, a cancellation."""
        status, subs = self.api.call("GET", "/v1/me/subscriptions", "/v1/me/subscriptions", token)
        if status != 200:
            return
        items = subs.get("items", subs) if isinstance(subs, dict) else subs
        ids = [s["subscription_id"] for s in items or [] if s.get("status") != "canceled"]
        if not ids:
            return
        move = rng.choice([self.simulator.advance_period, self.simulator.fail_payment])
        # A subscription Stripe ended meanwhile has nothing to move.
        with contextlib.suppress(Exception):
            move(rng.choice(ids))

    def _schedule(self, rng: random.Random, token: str) -> None:
        body: JSON = {"days": rng.randint(1, 5)}
        if rng.random() < 0.3:
            body["start_date"] = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
        self._post(token, "/v1/me/calendar", body)

    def _tap(self, rng: random.Random, token: str) -> None:
        today = datetime.now(UTC).date()
        query = f"/v1/me/calendar?from={today - timedelta(days=1)}&to={today}"
        status, body = self.api.call("GET", "/v1/me/calendar", query, token)
        if status != 200 or not isinstance(body, dict) or not body.get("tasks"):
            return
        task = rng.choice(body["tasks"])
        path = f"/v1/me/calendar/{task['task_date']}/{task['task_id']}"
        route = "/v1/me/calendar/{task_date}/{task_id}"
        completed = rng.random() < 0.6
        taps = 3 if rng.random() < 0.3 else 1  # a user who taps fast, an app that retries
        if taps == 1:
            self.api.call("PUT", route, path, token, {"completed": completed})
            return
        with ThreadPoolExecutor(max_workers=taps) as pool:
            for _ in range(taps):
                pool.submit(self.api.call, "PUT", route, path, token, {"completed": completed})

    def _read(self, rng: random.Random, token: str) -> None:
        today = datetime.now(UTC).date()
        path = rng.choice(
            [
                ("/v1/me", "/v1/me"),
                ("/v1/me/limits", "/v1/me/limits"),
                ("/v1/me/progress", f"/v1/me/progress?from={today - timedelta(days=7)}&to={today}"),
                ("/v1/me/plans/active", "/v1/me/plans/active"),
                ("/v1/me/assessments", "/v1/me/assessments?limit=5"),
            ]
        )
        self.api.call("GET", path[0], path[1], token)

    def _erase(self, account: Account, user_id: str, token: str) -> None:
        with account.registering:
            if account.user_id != user_id:
                return
            status, _ = self.api.call("DELETE", "/v1/me", "/v1/me", token)
            if status != 204:
                return
            with account.lock:
                account.generation += 1
                account.attempts.clear()
        with self._lock:
            self.erased.append(user_id)
            self.live.discard(user_id)


def virtual_user(users: Users, account: Account, seed: int, deadline: float) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        try:
            users.act(rng, account)
        except Exception as error:  # a broken connection is a finding, not a crash of the run
            users.api.report.violation(f"virtual user {seed}: {error!r}")


# --- invariants, from outside ------------------------------------------------------------------


def check_account(users: Users, user_id: str, now: datetime) -> list[str]:
    status, export = users.api.call("GET", "/v1/me/export", "/v1/me/export", users.token(user_id))
    if status == 404:
        return []  # nothing stored: its registration never went through
    if status != 200 or not isinstance(export, dict):
        return [f"{user_id}: export answered {status}"]
    if not export.get("users"):
        return []  # never registered (its first PUT lost to an erasure of the slot, say)
    found = _progress_violations(export) + _plan_violations(export)
    found += _tier_violations(export, now) + _limits_violations(export)
    return [f"{user_id}: {text}" for text in found]


def check_erased(users: Users, user_id: str) -> list[str]:
    token = users.token(user_id)
    status, export = users.api.call("GET", "/v1/me/export", "/v1/me/export", token)
    left = {k: len(v) for k, v in (export or {}).items() if isinstance(v, list) and v}
    # An account without a profile answers 404; one with items left answers them.
    found = [f"{user_id} erased, but {left} left ({status})"] if left or status >= 500 else []
    status, _ = users.api.call("GET", "/v1/me", "/v1/me", token)
    if status != 404:
        found.append(f"{user_id} erased, but GET /v1/me answered {status}")
    return found


def _progress_violations(export: JSON) -> list[str]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for task in export.get("calendar-tasks", []):
        counts[task["task_date"]][0] += 1
        counts[task["task_date"]][1] += int(bool(task["completed"]))
    items = {item["date"]: item for item in export.get("progress", [])}
    found = []
    for day, (total, completed) in counts.items():
        item = items.get(day)
        if item is None or (item["tasks_total"], item["tasks_completed"]) != (total, completed):
            shown = None if item is None else (item["tasks_completed"], item["tasks_total"])
            found.append(f"{day}: progress {shown}, tasks {completed}/{total}")
    streak = 0
    for day in sorted(items):
        item = items[day]
        if day not in counts and item["tasks_total"]:
            found.append(f"{day}: progress counts {item['tasks_total']} tasks, none stored")
        if not item["tasks_total"]:
            continue
        percent = 100 * item["tasks_completed"] // item["tasks_total"]
        streak = streak + 1 if percent >= STREAK_PERCENT else 0
        if item["streak"] != streak:
            found.append(f"{day}: streak {item['streak']}, the recurrence gives {streak}")
    return found


def _plan_violations(export: JSON) -> list[str]:
    """One active plan at most, the newest; no task of a plan scheduled after it was replaced.

    (An open task of a replaced plan may stay: one completed when the plan was replaced is
    kept, and its user may undo it later; decision 036.)
    """
    plans = sorted(export.get("plans", []), key=lambda p: int(p["version"]))
    active = [p for p in plans if p.get("is_active")]
    found = [f"{len(active)} active plans"] if len(active) > 1 else []
    if active and active[-1] is not plans[-1]:
        found.append(f"active version {active[-1]['version']} is not the newest")
    replaced_at = {
        older["plan_id"]: _time(newer["created_at"]) for older, newer in itertools.pairwise(plans)
    }
    for task in export.get("calendar-tasks", []):
        replaced = replaced_at.get(task["plan_id"])
        # Times are read at the start of each request: a scheduling that committed before the
        # replacement may carry a later time by up to one request's duration.
        if replaced is not None and _time(task["created_at"]) > replaced + REQUEST_SLACK:
            found.append(f"{task['task_date']}: task of {task['plan_id']} made after its end")
    return found


def _tier_violations(export: JSON, now: datetime) -> list[str]:
    rank = {"free": 0, "basic": 1, "pro": 2, "proplus": 3}
    granting = [
        s["tier"]
        for s in export.get("subscriptions", [])
        if s["status"] in GRANTING and _time(s["current_period_end"]) > now
    ]
    entitled = max(granting, key=rank.__getitem__, default="free")
    [user] = export["users"]
    limits = export.get("user-limits", [])
    found = []
    if user["tier"] != entitled:
        found.append(f"tier {user['tier']}, entitled {entitled}")
    if limits and limits[0]["plan"] != entitled:
        found.append(f"limits tier {limits[0]['plan']}, entitled {entitled}")
    return found


def _limits_violations(export: JSON) -> list[str]:
    rows = export.get("user-limits", [])
    if not rows:
        return ["no limits row"]
    limits = rows[0]
    attempts = export.get("assessments", [])
    found = []
    for used, quota, window, key in (
        ("video_quota_used_hourly", "video_quota_hour", "hour_window", _hour),
        ("video_quota_used_daily", "video_quota_day", "day_window", _day),
    ):
        mine = [a for a in attempts if key(a["created_at"]) == limits[window]]
        kept = sum(a["status"] != "failed" for a in mine)
        # A failure after its window ended gives nothing back (decision 011).
        late = sum(
            a["status"] == "failed" and key(a["completed_at"] or a["created_at"]) != limits[window]
            for a in mine
        )
        if not kept <= limits[used] <= kept + late:
            found.append(f"{used} {limits[used]}, {kept} attempts kept in {limits[window]}")
        if limits[used] > limits[quota]:
            found.append(f"{used} {limits[used]} above the quota {limits[quota]}")
    tests = {a["test_id"] for a in attempts if a["month_key"] == limits["month_window"]}
    if set(limits["tests_this_month"]) != tests or limits["test_quota_used_monthly"] != len(tests):
        found.append(f"tests this month {limits['tests_this_month']}, attempts name {tests}")
    if limits["test_quota_used_monthly"] > limits["test_quota_month"]:
        found.append("monthly tests above the quota")
    return found


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _hour(text: str) -> str:
    return _time(text).astimezone(UTC).strftime("%Y-%m-%dT%H")


def _day(text: str) -> str:
    return _time(text).astimezone(UTC).strftime("%Y-%m-%d")


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    seconds: float
    report: Report
    accounts_checked: int
    erased_checked: int

    @property
    def requests_per_second(self) -> float:
        return self.report.requests / self.seconds


def run(seconds: float, accounts: int = 6, seed: int = 12, endpoint: str | None = None) -> Outcome:
    """Soak the service for `seconds` with two virtual users per account; check afterwards."""
    report = Report()
    with service(endpoint) as (url, container):
        api = Api(url, report)
        mailbag = Mailbag(api, random.Random(seed))
        container.webhook_relay().target = mailbag.deliver
        courier = threading.Thread(target=mailbag.courier, name="soak-courier")
        courier.start()
        users = Users(api, mailbag, container, accounts)
        for account in users.accounts:
            users.register(account.user_id)
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(
                target=virtual_user,
                args=(users, users.accounts[n // 2], seed * 1000 + n, deadline),
                name=f"vu-{n}",
            )
            for n in range(2 * accounts)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        mailbag.close()
        courier.join()
        mailbag.shuffle_out(everything=True)
        now = datetime.now(UTC)
        live = sorted(users.live | {a.user_id for a in users.accounts})
        for user_id in live:
            for text in check_account(users, user_id, now):
                report.violation(text)
        for user_id in users.erased:
            for text in check_erased(users, user_id):
                report.violation(text)
    return Outcome(elapsed, report, len(live), len(users.erased))


def print_outcome(outcome: Outcome) -> None:
    report = outcome.report
    print(
        f"{report.requests} requests in {outcome.seconds:.0f} s: "
        f"{outcome.requests_per_second:.1f} requests/s; "
        f"{outcome.accounts_checked} accounts and {outcome.erased_checked} erased accounts checked"
    )
    print()
    print("| route | requests | p50 ms | p95 ms | p99 ms | statuses |")
    print("|---|---|---|---|---|---|")
    for route in sorted(report.latencies):
        values = report.latencies[route]
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(report.statuses[route].items()))
        print(
            f"| {route} | {len(values)} | {1000 * percentile(values, 0.5):.0f} | "
            f"{1000 * percentile(values, 0.95):.0f} | {1000 * percentile(values, 0.99):.0f} | "
            f"{statuses} |"
        )
    fives = sum(n for c in report.statuses.values() for s, n in c.items() if s >= 500)
    print()
    print(f"5xx answers: {fives}")
    print(f"violations: {len(report.violations)}")
    for text in report.violations[:30]:
        print(f"  - {text}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=6, help="accounts (two virtual users each)")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    print(f"soak: {args.seconds:.0f} s, {args.users} accounts, {2 * args.users} virtual users")
    outcome = run(args.seconds, args.users, args.seed)
    print_outcome(outcome)
    return 1 if outcome.report.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
