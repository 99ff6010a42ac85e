"""Several of one user's items from different tables, in memory: one look under the lock."""

from __future__ import annotations

from adapters.memory.database import InMemoryDatabase
from adapters.memory.progress import chain_of
from domain.assessment import AssessmentStatus, previous_completed
from domain.time import iso
from ports.snapshots import Snapshot, SnapshotRequest


class InMemorySnapshotReader:
    """Point reads across the user tables, as one read."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def read(self, request: SnapshotRequest) -> Snapshot:
        """Every part asked for; None where nothing is stored."""
        db, owner = self._db, request.user_id
        with db.lock:
            task = None
            if request.task is not None:
                task_date, task_id = request.task
                task = db.calendar_tasks.get((owner, f"{task_date.isoformat()}#{task_id}"))
            completed = []
            if request.completed_since is not None:
                start = iso(request.completed_since)
                completed = [
                    a
                    for (user, _), a in db.assessments.items()
                    if user == owner
                    and a.status == AssessmentStatus.COMPLETED
                    and iso(a.created_at) >= start
                ]
            plans = (
                [p for (user, _), p in db.plans.items() if user == owner] if request.plans else []
            )
            attempt = (
                None
                if request.assessment_id is None
                else db.assessments.get((owner, request.assessment_id))
            )
            previous = None
            if request.previous_completed and attempt is not None:
                mine = [a for (user, _), a in db.assessments.items() if user == owner]
                previous = previous_completed(attempt, mine)
            chain = None
            if request.progress_chain is not None:
                days = sorted(
                    (p for (user, _), p in db.progress.items() if user == owner),
                    key=lambda p: p.date,
                )
                chain = chain_of(days, *request.progress_chain)
            return Snapshot(
                user=db.users.get(owner) if request.user else None,
                limits=db.limits.get(owner) if request.limits else None,
                assessment=attempt,
                task=task,
                progress=(
                    None
                    if request.progress_date is None
                    else db.progress.get((owner, request.progress_date.isoformat()))
                ),
                completed=tuple(
                    sorted(
                        completed, key=lambda a: (iso(a.created_at), a.assessment_id), reverse=True
                    )
                ),
                plans=tuple(sorted(plans, key=lambda p: (p.version, p.plan_id))),
                previous=previous,
                chain=chain,
            )
