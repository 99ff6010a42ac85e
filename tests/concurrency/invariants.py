"""What must hold after any race, read back through the ports: each check returns the
violations it found (empty when the invariant holds), so a test can assert `== []`."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from application.progress_sync import counts_by_date
from domain.assessment import Assessment, AssessmentStatus
from domain.progress import counts_for_streak
from domain.subscription import entitled_tier
from tests.support.stores import Stores

FAR = timedelta(days=800)


def progress_violations(stores: Stores, user_id: str, first: date, last: date) -> list[str]:
    """Every date's progress counts equal its tasks' states, and streaks follow SPEC.md 7:
    streak(d) = 0 unless d counts, else 1 + streak(latest earlier date with tasks)."""
    found: list[str] = []
    counts = counts_by_date(stores.calendar.between(user_id, first - FAR, last + FAR))
    items = stores.progress.between(user_id, first - FAR, last + FAR)
    by_date = {item.date: item for item in items}
    for day, (total, completed) in sorted(counts.items()):
        item = by_date.get(day)
        if item is None:
            found.append(f"{day}: {total} tasks but no progress item")
        elif (item.tasks_total, item.tasks_completed) != (total, completed):
            found.append(
                f"{day}: progress says {item.tasks_completed}/{item.tasks_total}, "
                f"tasks say {completed}/{total}"
            )
    for day, item in by_date.items():
        if item.tasks_total and day not in counts:
            found.append(f"{day}: progress counts {item.tasks_total} tasks, none stored")
    streak = 0
    for item in sorted(items, key=lambda p: p.date):
        if not item.has_tasks:
            continue
        streak = streak + 1 if counts_for_streak(item.completion_percentage) else 0
        if item.streak != streak:
            found.append(f"{item.date}: streak {item.streak}, the recurrence gives {streak}")
    return found


def limits_violations(stores: Stores, user_id: str, month: str) -> list[str]:
    """The quota counters equal what was admitted and not given back, within the limits.

    Every attempt of the user is of `month`, the current hour and day: video units count the
    attempts not `failed` (a failed one is refunded), attempts per test count them all.
    """
    limits = stores.limits.get(user_id)
    if limits is None:
        return ["no limits row"]
    attempts = _attempts_of(stores, user_id)
    kept = [a for a in attempts if a.status is not AssessmentStatus.FAILED]
    found: list[str] = []
    if limits.video_quota_used_hourly != len(kept):
        found.append(f"hourly counter {limits.video_quota_used_hourly}, {len(kept)} attempts kept")
    if limits.video_quota_used_daily != len(kept):
        found.append(f"daily counter {limits.video_quota_used_daily}, {len(kept)} attempts kept")
    if limits.video_quota_used_hourly > limits.video_quota_hour:
        found.append(f"hourly counter {limits.video_quota_used_hourly} above the quota")
    per_test = Counter(a.test_id for a in attempts)
    if dict(limits.attempts_per_test) != dict(per_test):
        found.append(f"attempts per test {dict(limits.attempts_per_test)}, stored {per_test}")
    tests = {a.test_id for a in attempts if a.month_key == month}
    if limits.test_quota_used_monthly != len(tests) or limits.tests_this_month != tests:
        found.append(f"monthly tests {limits.test_quota_used_monthly}, attempts name {tests}")
    if limits.test_quota_used_monthly > limits.test_quota_month:
        found.append("monthly tests above the quota")
    return found


def plan_violations(stores: Stores, user_id: str, today: date) -> list[str]:
    """At most one active plan, the highest version; open tasks from today on are its own."""
    plans = stores.plans.list_for_user(user_id)
    active = [p for p in plans if p.is_active]
    found: list[str] = []
    if len(active) > 1:
        found.append(f"{len(active)} active plans")
    if active and active[0].version != max(p.version for p in plans):
        found.append(f"active version {active[0].version} is not the newest")
    active_ids = {p.plan_id for p in active}
    for task in stores.calendar.between(user_id, today, today + FAR):
        if not task.completed and task.plan_id not in active_ids:
            found.append(f"{task.task_date}: open task of {task.plan_id}, not the active plan")
    return found


def tier_violations(stores: Stores, user_id: str, now: datetime) -> list[str]:
    """The tier (profile and limits row) is the entitlement over the stored subscriptions."""
    user = stores.users.get(user_id)
    limits = stores.limits.get(user_id)
    if user is None or limits is None:
        return ["user or limits row missing"]
    entitled = entitled_tier(stores.subscriptions.list_for_user(user_id), now)
    found = []
    if user.tier is not entitled:
        found.append(f"profile tier {user.tier}, entitled {entitled}")
    if limits.plan is not entitled:
        found.append(f"limits tier {limits.plan}, entitled {entitled}")
    return found


def erased_violations(stores: Stores, user_id: str) -> list[str]:
    """Nothing of the user is left in any table."""
    return [
        f"{table}: {len(items)} items left"
        for table, items in stores.account.export(user_id).items()
        if items
    ]


def _attempts_of(stores: Stores, user_id: str) -> list[Assessment]:
    found: list[Assessment] = []
    cursor: str | None = None
    while True:
        page = stores.assessments.list_for_user(user_id, test_id=None, limit=100, cursor=cursor)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor
