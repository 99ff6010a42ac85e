"""Every repository port in one bundle, so a test runs unchanged on any backend."""

from __future__ import annotations

from dataclasses import dataclass

from ports.account import AccountStore
from ports.assessments import AssessmentRepository
from ports.calendar import CalendarRepository
from ports.limits import LimitsRepository
from ports.migrations import MigrationLedger
from ports.plans import PlanRepository
from ports.progress import ProgressRepository
from ports.snapshots import SnapshotReader
from ports.subscriptions import SubscriptionRepository
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class Stores:
    users: UserRepository
    limits: LimitsRepository
    assessments: AssessmentRepository
    plans: PlanRepository
    calendar: CalendarRepository
    progress: ProgressRepository
    subscriptions: SubscriptionRepository
    migrations: MigrationLedger
    account: AccountStore
    snapshots: SnapshotReader
