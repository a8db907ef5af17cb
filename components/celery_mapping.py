"""Celery tasks as WAMP procedures, the pure part: names, schemas, progress, errors, canvas.

A task ``add`` becomes the procedure ``celery.add`` (or ``<prefix>add``). When
the task's function is annotated (every argument and the result), the
procedure is typed like any wampgate procedure: calls are checked against the
signature and the catalog shows its schemas. An unannotated task takes any
arguments and is listed as such.

While a task runs, each change of its state or of its custom progress
(``self.update_state(state=..., meta=...)``) reaches a caller that asked for
progressive results as ``{"task_id", "state", "meta"}``. A task that raised
``ValueError("bad")`` fails the call with ``celery.error.ValueError`` and the
message ``bad``.

``celery.chain``, ``celery.group`` take a list of task calls; ``celery.chord``
a list (the header) and one task call (the body). A task call is
``{"task": "add", "args": [2, 3], "kwargs": {}}`` or ``["add", 2, 3]``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_type_hints

from wampgate.components.bridge import uri_part
from wampgate.components.errors import DeclarationError, ProcedureError
from wampgate.components.procedure import CallResult, Procedure
from wampgate.components.schema import describe_text
from wampgate.contract import uris


def task_uri(prefix: str, task_name: str) -> str:
    return prefix + uri_part(task_name)


def public_tasks(names: Sequence[str]) -> list[str]:
    """The app's own tasks: Celery's built-in ``celery.*`` tasks are not served."""
    return sorted(n for n in names if not n.startswith("celery."))


def _doc(func: Callable[..., Any], name: str) -> str:
    doc = inspect.getdoc(func) or ""
    return doc.splitlines()[0] if doc else f"The Celery task {name}."


@dataclass(frozen=True)
class TaskProcedure:
    """One task as a procedure: how its calls are checked and how it is described."""

    uri: str
    task_name: str
    #: Checks a call and hands back the arguments as given (None: unannotated, anything goes).
    binder: Procedure | None
    description: dict[str, Any]

    @classmethod
    def from_task(cls, uri: str, task_name: str, func: Callable[..., Any]) -> TaskProcedure:
        doc = _doc(func, task_name)
        try:
            described = Procedure.from_function(uri, _with_doc(func, doc))
            binder = Procedure.from_function(uri, _binder(func, doc))
        except (DeclarationError, NameError, TypeError):
            return cls(uri, task_name, None, untyped_description(uri, doc))
        return cls(uri, task_name, binder, described.describe())

    async def bind(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> CallResult:
        """The call's arguments after checking (raises ``InvalidArgument``)."""
        if self.binder is None:
            return CallResult(tuple(args), dict(kwargs))
        result = await self.binder.invoke(args, kwargs)
        assert isinstance(result, CallResult)  # the binder returns nothing else
        return result


def untyped_description(
    uri: str, doc: str, result: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    result = dict(result or {})
    return {
        "uri": uri,
        "doc": doc,
        "positional": [],
        "params": params,
        "result": result,
        **describe_text(uri, params, [], result),
    }


def _with_doc(func: Callable[..., Any], doc: str) -> Callable[..., Any]:
    """``func`` with a docstring (Procedure requires one), its signature unchanged."""

    def described(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    _copy_signature(described, func, doc, get_type_hints(func, include_extras=True))
    return described


def _binder(func: Callable[..., Any], doc: str) -> Callable[..., CallResult]:
    """A function with ``func``'s signature that returns the checked arguments."""

    def binder(*args: Any, **kwargs: Any) -> CallResult:
        return CallResult(args, kwargs)

    hints = {**get_type_hints(func, include_extras=True), "return": CallResult}
    _copy_signature(binder, func, doc, hints, returns=CallResult)
    return binder


def _copy_signature(
    target: Callable[..., Any],
    source: Callable[..., Any],
    doc: str,
    hints: dict[str, Any],
    returns: Any = inspect.Signature.empty,
) -> None:
    signature = inspect.signature(source)
    if returns is not inspect.Signature.empty:
        signature = signature.replace(return_annotation=returns)
    target.__signature__ = signature  # type: ignore[attr-defined]
    target.__annotations__ = hints
    target.__doc__ = doc
    target.__name__ = target.__qualname__ = getattr(source, "__name__", "task")


def progress(task_id: str, state: str, meta: Any) -> dict[str, Any]:
    """One progressive result: the task's state and what it said about its progress."""
    return {"task_id": task_id, "state": state, "meta": meta if _plain(meta) else None}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def failure(error: BaseException | Any) -> ProcedureError:
    """The WAMP error for a task's failure: ``celery.error.<exception type>`` and its message."""
    if isinstance(error, BaseException):
        return ProcedureError(uris.CELERY_ERROR_PREFIX + type(error).__name__, str(error))
    return ProcedureError(uris.CELERY_ERROR_PREFIX + "TaskFailed", str(error))


@dataclass(frozen=True)
class TaskCall:
    """One task call of a chain, group or chord."""

    task: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] | None = None


def _bad(message: str) -> ProcedureError:
    return ProcedureError(uris.ERROR_INVALID_ARGUMENT, message)


def task_call(item: Any, known: Sequence[str]) -> TaskCall:
    """Parse ``{"task", "args", "kwargs"}`` or ``[name, *args]``; the task must be known."""
    if isinstance(item, dict):
        name, args, kwargs = item.get("task"), item.get("args", []), item.get("kwargs", {})
        extra = set(item) - {"task", "args", "kwargs"}
        if extra:
            raise _bad(f"task call {item!r}: unexpected keys {sorted(extra)}")
    elif isinstance(item, list) and item:
        name, args, kwargs = item[0], item[1:], {}
    else:
        raise _bad(f'a task call is {{"task": name, "args": [...]}} or [name, *args], not {item!r}')
    if not isinstance(name, str) or not isinstance(args, list) or not isinstance(kwargs, dict):
        raise _bad(f"task call {item!r}: task must be a name, args a list, kwargs an object")
    if name not in known:
        message = f"no task {name!r}; known: {', '.join(known)}"
        raise ProcedureError(uris.CELERY_ERROR_UNKNOWN_TASK, message)
    return TaskCall(name, tuple(args), kwargs)


def task_calls(items: Any, known: Sequence[str]) -> list[TaskCall]:
    if not isinstance(items, list) or not items:
        raise _bad(f"expected a non-empty list of task calls, got {items!r}")
    return [task_call(item, known) for item in items]


# What the canvas procedures take and give, for the catalog (the bridge serves them).


def chain(calls: list[Any]) -> Any:
    """Run task calls one after another, each getting the previous result first."""
    return None


def group(calls: list[Any]) -> list[Any]:
    """Run task calls in parallel; the result is the list of their results."""
    return []


def chord(header: list[Any], body: Any) -> Any:
    """Run the header's task calls in parallel, then the body task on their results."""
    return None
