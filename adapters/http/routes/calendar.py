"""The caller's calendar of daily exercises (basic or higher)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from adapters.http.auth import Caller
from adapters.http.errors import problem_responses
from adapters.http.requests import IsoDate, ScheduleBody, TaskCompletionBody
from adapters.http.responses import TaskCompletionOut, TasksOut, completion_out, tasks_out
from application.list_tasks import ListTasksRequest
from application.schedule_calendar import ScheduleCalendarRequest
from application.set_task_completion import SetTaskCompletionRequest
from application.use_cases import UseCases

MAX_TASK_ID_LENGTH = 64


def calendar_router(use_cases: UseCases) -> APIRouter:
    """/v1/me/calendar."""
    router = APIRouter(prefix="/v1/me/calendar", tags=["calendar"])

    @router.post(
        "",
        status_code=201,
        response_model=TasksOut,
        summary="Schedule the active plan over a window (default 14 days from today)",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
    )
    def schedule_calendar(caller: Caller, body: ScheduleBody | None = None) -> TasksOut:
        body = body or ScheduleBody()
        tasks = use_cases.schedule_calendar.execute(
            ScheduleCalendarRequest(caller.sub, start_date=body.start_date, days=body.days)
        )
        return tasks_out(tasks)

    @router.get(
        "",
        response_model=TasksOut,
        summary="The tasks of a date, or of the dates from..to",
        responses=problem_responses(401, 403, 404, 422, 503),
    )
    def list_tasks(
        caller: Caller,
        from_date: Annotated[IsoDate, Query(alias="from")],
        to_date: Annotated[IsoDate | None, Query(alias="to")] = None,
    ) -> TasksOut:
        tasks = use_cases.list_tasks.execute(ListTasksRequest(caller.sub, from_date, to_date))
        return tasks_out(tasks)

    @router.put(
        "/{task_date}/{task_id}",
        response_model=TaskCompletionOut,
        summary="Complete or un-complete a task of today or yesterday",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
    )
    def set_task_completion(
        task_date: Annotated[IsoDate, Path()],
        task_id: Annotated[str, Path(min_length=1, max_length=MAX_TASK_ID_LENGTH)],
        body: TaskCompletionBody,
        caller: Caller,
    ) -> TaskCompletionOut:
        completion = use_cases.set_task_completion.execute(
            SetTaskCompletionRequest(caller.sub, task_date, task_id, body.completed)
        )
        return completion_out(completion)

    return router
