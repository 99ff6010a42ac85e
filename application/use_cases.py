"""Every use case of the product in one bundle: what a delivery layer (HTTP, CLI, Lambda) serves."""

from __future__ import annotations

from dataclasses import dataclass

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
from application.schedule_calendar import ScheduleCalendar
from application.send_reminders import SendReminders
from application.set_task_completion import SetTaskCompletion
from application.start_attempt import StartAttempt
from application.start_checkout import StartCheckout
from application.sweep_stale_attempts import SweepStaleAttempts
from application.top_streaks import TopStreaks
from application.unban_user import UnbanUser


@dataclass(frozen=True, slots=True)
class UseCases:
    """The use cases, built once by the composition root and handed to delivery adapters."""

    register_user: RegisterUser
    get_profile: GetProfile
    record_login: RecordLogin
    accept_disclaimer: AcceptDisclaimer
    get_limits: GetLimits
    ban_user: BanUser
    unban_user: UnbanUser
    list_tests: ListTests
    start_attempt: StartAttempt
    complete_attempt: CompleteAttempt
    fail_attempt: FailAttempt
    sweep_stale_attempts: SweepStaleAttempts
    list_assessments: ListAssessments
    get_assessment: GetAssessment
    generate_plan: GeneratePlan
    get_active_plan: GetActivePlan
    schedule_calendar: ScheduleCalendar
    list_tasks: ListTasks
    set_task_completion: SetTaskCompletion
    get_progress: GetProgress
    top_streaks: TopStreaks
    start_checkout: StartCheckout
    cancel_subscription: CancelSubscription
    list_subscriptions: ListSubscriptions
    apply_payment_event: ApplyPaymentEvent
    export_account: ExportAccount
    erase_account: EraseAccount
    count_assessments: CountAssessments
    send_reminders: SendReminders
