"""Celery tasks as procedures: names, schemas, argument checks, errors, canvas specs."""

from __future__ import annotations

import pytest
from wampgate.components import celery_mapping as m
from wampgate.components.celery_demo import add, countdown
from wampgate.components.errors import InvalidArgument, ProcedureError
from wampgate.contract import uris


def test_names() -> None:
    assert m.task_uri("celery.", "add") == "celery.add"
    assert m.task_uri("jobs.", "proj.tasks.add") == "jobs.proj.tasks.add"
    assert m.public_tasks(["mul", "celery.chord_unlock", "add"]) == ["add", "mul"]


async def test_annotated_task_is_typed() -> None:
    proc = m.TaskProcedure.from_task("celery.add", "add", add.run)
    assert proc.description["signature"] == "celery.add(a: number, b: number) -> number"
    call = await proc.bind((2,), {"b": 3})
    assert (tuple(call.args), dict(call.kwargs or {})) == ((2,), {"b": 3})
    with pytest.raises(InvalidArgument, match="'a'"):
        await proc.bind(("x", 1), {})


async def test_bound_task_hides_self() -> None:
    proc = m.TaskProcedure.from_task("celery.countdown", "countdown", countdown.run)
    assert proc.description["positional"] == ["steps", "seconds"]


async def test_unannotated_task_takes_anything() -> None:
    def legacy(a, b=2):  # type: ignore[no-untyped-def]
        return a

    proc = m.TaskProcedure.from_task("celery.legacy", "legacy", legacy)
    assert proc.binder is None
    assert proc.description["doc"] == "The Celery task legacy."
    call = await proc.bind(("anything",), {"z": 1})
    assert tuple(call.args) == ("anything",)


def test_failures_and_progress() -> None:
    error = m.failure(KeyError("k"))
    assert error.uri == "celery.error.KeyError"
    assert m.progress("t1", "PROGRESS", {"done": 1}) == {
        "task_id": "t1",
        "state": "PROGRESS",
        "meta": {"done": 1},
    }
    assert m.progress("t1", "STARTED", object())["meta"] is None


def test_task_calls() -> None:
    known = ["add", "mul"]
    assert m.task_calls([["add", 1, 2], {"task": "mul", "args": [3]}], known) == [
        m.TaskCall("add", (1, 2), {}),
        m.TaskCall("mul", (3,), {}),
    ]
    with pytest.raises(ProcedureError) as caught:
        m.task_call(["nope"], known)
    assert caught.value.uri == uris.CELERY_ERROR_UNKNOWN_TASK
    for bad in ([], "add", [{"task": "add", "extra": 1}], [{"task": "add", "args": 3}]):
        with pytest.raises(ProcedureError) as caught:
            m.task_calls(bad, known)
        assert caught.value.uri == uris.ERROR_INVALID_ARGUMENT
