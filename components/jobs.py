"""CPU-bound demo jobs: the work-queue pattern over several processes of one component.

``wampgate up --workers N`` runs N processes of this component. Each
registers ``demo.jobs.slow_square`` with the shared ``roundrobin`` policy and
a concurrency of one, so the router hands a job only to a process that is
not busy and queues the rest (see :mod:`wampgate.router.workqueue`). The
result names the process that did the work.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict
from wampgate.components import runtime
from wampgate.components.framework import Api
from wampgate.contract import env, uris

api = Api("jobs", concurrency=1)

#: Squares of these stay within 64 bits, what every serializer carries.
Operand = Annotated[int, Field(ge=-(2**31), le=2**31)]
Seconds = Annotated[float, Field(ge=0, le=60)]
#: One slice of work between two chances for the event loop to serve the session.
_SLICE = 0.01


class Job(TypedDict):
    x: int
    square: int
    #: Which process did it: its pid and its number among the component's processes.
    pid: int
    worker: int
    #: CPU seconds spent, and when the job started and ended (Unix time).
    cpu_seconds: float
    started: float
    finished: float


def work(seconds: float) -> float:
    """Burn about ``seconds`` of this thread's CPU time; return what was spent."""
    start = time.thread_time()
    spent = 0.0
    while spent < seconds:
        sum(i * i for i in range(2000))
        spent = time.thread_time() - start
    return spent


async def burn(seconds: float) -> float:
    """:func:`work` in slices, so the session stays served and a cancelled job stops."""
    spent = 0.0
    while spent < seconds:
        spent += work(min(_SLICE, seconds - spent))
        await asyncio.sleep(0)
    return spent


@api.procedure(uris.JOBS_SLOW_SQUARE)
async def slow_square(x: Operand, seconds: Seconds = 1.0) -> Job:
    """Square x after about `seconds` of CPU work in this process (one job at a time)."""
    started = time.time()
    cpu = await burn(seconds)
    return {
        "x": x,
        "square": x * x,
        "pid": os.getpid(),
        "worker": int(os.environ.get(env.WORKER, "1")),
        "cpu_seconds": round(cpu, 4),
        "started": started,
        "finished": time.time(),
    }


def main() -> None:
    runtime.main(api)


if __name__ == "__main__":
    main()
