"""The composition root: the only module that names concrete adapters.

Profiles (FLOWLOGIC_PROFILE): `memory` keeps everything in process; `local` runs the DynamoDB
adapters against an embedded moto server on loopback (or AWS_ENDPOINT_URL_DYNAMODB) with the
Stripe simulator; `aws` uses real DynamoDB, S3, EventBridge and Stripe. Nothing is created at
import time: every client and server is built on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from adapters.dynamodb.account import DynamoDBAccountStore
from adapters.dynamodb.assessments import DynamoDBAssessmentRepository
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calendar import DynamoDBCalendarRepository
from adapters.dynamodb.limits import DynamoDBLimitsRepository
from adapters.dynamodb.migrations import DynamoDBMigrationLedger
from adapters.dynamodb.plans import DynamoDBPlanRepository
from adapters.dynamodb.progress import DynamoDBProgressRepository
from adapters.dynamodb.snapshots import DynamoDBSnapshotReader
from adapters.dynamodb.subscriptions import DynamoDBSubscriptionRepository
from adapters.dynamodb.users import DynamoDBUserRepository
from adapters.eventbridge.publisher import EventBridgePublisher
from adapters.memory.account import InMemoryAccountStore
from adapters.memory.assessments import InMemoryAssessmentRepository
from adapters.memory.calendar import InMemoryCalendarRepository
from adapters.memory.database import InMemoryDatabase
from adapters.memory.events import InMemoryEventPublisher
from adapters.memory.limits import InMemoryLimitsRepository
from adapters.memory.migrations import InMemoryMigrationLedger
from adapters.memory.plans import InMemoryPlanRepository
from adapters.memory.progress import InMemoryProgressRepository
from adapters.memory.snapshots import InMemorySnapshotReader
from adapters.memory.subscriptions import InMemorySubscriptionRepository
from adapters.memory.users import InMemoryUserRepository
from adapters.s3.video_storage import S3VideoStorage
from adapters.system.clock import SystemClock
from adapters.system.ids import Uuid4Ids
from application.accept_disclaimer import AcceptDisclaimer
from application.apply_payment_event import ApplyPaymentEvent
from application.assessment_analytics import CountAssessments
from application.ban_user import BanUser
from application.cancel_subscription import CancelSubscription
from application.complete_attempt import CompleteAttempt
from application.erase_account import EraseAccount
from application.export_account import ExportAccount
from application.fail_attempt import FailAttempt
from application.generate_plan import GeneratePlan
from application.get_active_plan import GetActivePlan
from application.get_assessment import GetAssessment
from application.get_limits import GetLimits
from application.get_profile import GetProfile
from application.get_progress import GetProgress
from application.list_assessments import ListAssessments
from application.list_subscriptions import ListSubscriptions
from application.list_tasks import ListTasks
from application.list_tests import ListTests
from application.record_login import RecordLogin
from application.register_user import RegisterUser
from application.run_migrations import RunMigrations
from application.schedule_calendar import ScheduleCalendar
from application.send_reminders import SendReminders
from application.set_task_completion import SetTaskCompletion
from application.start_attempt import StartAttempt
from application.start_checkout import StartCheckout
from application.sweep_stale_attempts import SweepStaleAttempts
from application.top_streaks import TopStreaks
from application.unban_user import UnbanUser
from application.use_cases import UseCases
from domain.assessment import QualityThresholds
from infra import clients, stripe_local
from infra.di import containers, providers
from infra.migrations import migrations_for
from infra.settings import Profile, Settings


def _storage_of(settings: Settings) -> str:
    return "memory" if settings.profile is Profile.MEMORY else "dynamodb"


def _profile_of(settings: Settings) -> str:
    return settings.profile.value


def _store(
    storage: Any,
    memory_db: Any,
    dynamodb: Any,
    in_memory: type[Any],
    on_dynamodb: type[DynamoDBRepository],
) -> providers.Selector[Any]:
    """One port's adapter: the in-memory class, or the DynamoDB repository over the profile's
    client and the configured layout."""
    return providers.Selector(
        storage,
        memory=providers.Singleton(in_memory, memory_db),
        dynamodb=providers.Singleton(
            on_dynamodb,
            dynamodb.provided.for_repositories.call(),
            dynamodb.provided.layout.call(),
        ),
    )


def _s3_client(settings: Settings) -> Iterator[Any]:
    yield clients.s3_client(settings)


class Container(containers.DeclarativeContainer):
    """Wires ports to adapters for one profile; override providers in tests with `override()`."""

    settings = providers.Dependency(instance_of=Settings)
    storage = providers.Callable(_storage_of, settings)
    profile = providers.Callable(_profile_of, settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid4Ids)
    thresholds = providers.Singleton(
        QualityThresholds,
        min_quality_score=settings.provided.min_quality_score,
        min_confidence_avg=settings.provided.min_confidence_avg,
        min_motion_variance=settings.provided.min_motion_variance,
    )

    # --- storage -------------------------------------------------------------------------
    memory_db = providers.Singleton(InMemoryDatabase)
    dynamodb = providers.Singleton(clients.DynamoDBResources, settings)

    users = _store(storage, memory_db, dynamodb, InMemoryUserRepository, DynamoDBUserRepository)
    limits = _store(
        storage, memory_db, dynamodb, InMemoryLimitsRepository, DynamoDBLimitsRepository
    )
    assessments = _store(
        storage, memory_db, dynamodb, InMemoryAssessmentRepository, DynamoDBAssessmentRepository
    )
    plans = _store(storage, memory_db, dynamodb, InMemoryPlanRepository, DynamoDBPlanRepository)
    calendar = _store(
        storage, memory_db, dynamodb, InMemoryCalendarRepository, DynamoDBCalendarRepository
    )
    progress = _store(
        storage, memory_db, dynamodb, InMemoryProgressRepository, DynamoDBProgressRepository
    )
    subscriptions = _store(
        storage, memory_db, dynamodb, InMemorySubscriptionRepository, DynamoDBSubscriptionRepository
    )
    migrations = _store(
        storage, memory_db, dynamodb, InMemoryMigrationLedger, DynamoDBMigrationLedger
    )
    account = _store(storage, memory_db, dynamodb, InMemoryAccountStore, DynamoDBAccountStore)
    snapshots = _store(storage, memory_db, dynamodb, InMemorySnapshotReader, DynamoDBSnapshotReader)

    # --- gateways ------------------------------------------------------------------------
    s3 = providers.Resource(_s3_client, settings)
    videos = providers.Singleton(S3VideoStorage, s3.provider, settings.provided.video_bucket)
    webhook_relay = providers.Singleton(stripe_local.WebhookRelay, settings.provided.public_url)
    stripe_simulator = providers.Singleton(stripe_local.simulator, settings, webhook_relay, clock)
    simulated_payments = providers.Singleton(
        stripe_local.simulated_gateway, settings, stripe_simulator
    )
    payments = providers.Selector(
        profile,
        memory=simulated_payments,
        local=simulated_payments,
        aws=providers.Singleton(stripe_local.real_gateway, settings),
    )
    in_process_events = providers.Singleton(InMemoryEventPublisher)
    events = providers.Selector(
        profile,  # off AWS there is no bus: events stay in process
        memory=in_process_events,
        local=in_process_events,
        aws=providers.Singleton(
            EventBridgePublisher,
            providers.Singleton(clients.events_client, settings),
            settings.provided.event_bus,
        ),
    )

    # --- use cases -----------------------------------------------------------------------
    use_cases = providers.Singleton(
        UseCases,
        register_user=providers.Singleton(RegisterUser, users, clock),
        get_profile=providers.Singleton(GetProfile, users),
        record_login=providers.Singleton(RecordLogin, users, clock),
        accept_disclaimer=providers.Singleton(AcceptDisclaimer, users, clock),
        get_limits=providers.Singleton(GetLimits, limits, clock),
        ban_user=providers.Singleton(BanUser, limits, clock),
        unban_user=providers.Singleton(UnbanUser, limits, clock),
        list_tests=providers.Singleton(ListTests),
        start_attempt=providers.Singleton(
            StartAttempt, snapshots, limits, assessments, videos, ids, clock
        ),
        complete_attempt=providers.Singleton(
            CompleteAttempt, snapshots, assessments, progress, calendar, clock, thresholds
        ),
        fail_attempt=providers.Singleton(FailAttempt, assessments, limits, clock, snapshots),
        sweep_stale_attempts=providers.Singleton(
            SweepStaleAttempts, assessments, limits, clock, snapshots
        ),
        list_assessments=providers.Singleton(ListAssessments, assessments),
        get_assessment=providers.Singleton(GetAssessment, assessments),
        generate_plan=providers.Singleton(
            GeneratePlan, snapshots, plans, calendar, progress, clock
        ),
        get_active_plan=providers.Singleton(GetActivePlan, snapshots),
        schedule_calendar=providers.Singleton(
            ScheduleCalendar, snapshots, plans, calendar, progress, clock
        ),
        list_tasks=providers.Singleton(ListTasks, users, calendar),
        set_task_completion=providers.Singleton(SetTaskCompletion, snapshots, calendar, clock),
        get_progress=providers.Singleton(GetProgress, snapshots, progress, clock),
        top_streaks=providers.Singleton(TopStreaks, users, progress),
        start_checkout=providers.Singleton(StartCheckout, users, subscriptions, payments),
        cancel_subscription=providers.Singleton(
            CancelSubscription, users, subscriptions, payments, clock
        ),
        list_subscriptions=providers.Singleton(ListSubscriptions, users, subscriptions),
        apply_payment_event=providers.Singleton(ApplyPaymentEvent, snapshots, subscriptions, clock),
        export_account=providers.Singleton(ExportAccount, account),
        erase_account=providers.Singleton(EraseAccount, payments, account),
        count_assessments=providers.Singleton(CountAssessments, assessments),
        send_reminders=providers.Singleton(SendReminders, calendar, events),
    )
    # A factory: `flowlogic migrate` passes its progress observer as `on_progress=`.
    run_migrations = providers.Factory(
        RunMigrations,
        ledger=migrations,
        migrations=providers.Callable(migrations_for, storage, dynamodb, clock),
        clock=clock,
    )


def prepare_clients(container: Container) -> None:
    """Create the DynamoDB client now (aws profile), in a Lambda's init rather than in its first
    request; creating it opens no connection. Other profiles start servers lazily, as before."""
    if container.profile() == Profile.AWS.value:
        container.dynamodb().prepared()


def create_container(settings: Settings | None = None) -> Container:
    """A container for `settings` (read from the environment when omitted)."""
    return Container(settings=settings or Settings())
