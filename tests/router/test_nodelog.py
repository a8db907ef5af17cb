"""Reading Crossbar's output, line by line, without a router."""

from __future__ import annotations

from wampgate.contract import logformat
from wampgate.router.nodelog import Line, NodeLog, message, worth_showing

STAMP = "2026-12-02T00:57:44+0000"


def guest(pid: int, text: str) -> str:
    return f"{STAMP} [Guest        {pid}] {text}\n"


def controller(text: str) -> str:
    return f"{STAMP} [Controller   6936] {text}\n"


def joined(pid: int, name: str) -> str:
    line = logformat.JOINED % (name, "realm1", "backend", 2)
    return guest(pid, f"wampgate.components INFO {line}")


def restarting(pid: int, module: str) -> str:
    line = logformat.RESTARTING % (module, 1, 0.2, 0.5)
    return guest(pid, f"wampgate.components.supervise ERROR {line}")


def test_ready_once_booted_and_every_component_joined() -> None:
    log = NodeLog(["calc", "echo"])
    assert log.feed(joined(11, "calc")) is Line.CHANGED
    assert log.feed(controller(logformat.BOOT_COMPLETE)) is Line.CHANGED
    assert not log.ready and log.missing == ["echo"]
    assert log.feed(guest(12, "wampgate.components.echo INFO listening")) is Line.PLAIN
    log.feed(joined(12, "echo"))
    assert log.ready
    log.feed(joined(11, "calc"))
    assert log.joins == {"calc": 2, "echo": 1}


def test_numpy_noise_is_dropped() -> None:
    log = NodeLog([])
    lines = [
        controller("A module that was compiled using NumPy 1.x cannot be run in"),
        controller("Traceback (most recent call last):"),
        controller("AttributeError: _ARRAY_API not found"),
        controller("Starting guest-worker"),
    ]
    assert [log.feed(line) for line in lines] == [Line.NOISE] * 3 + [Line.PLAIN]


def test_a_failed_guest_is_explained_by_its_own_last_words() -> None:
    log = NodeLog(["calc", "geometry"])
    log.feed(joined(11, "calc"))
    log.feed(guest(11, "wampgate.components INFO demo.calc.add: wamp.error.invalid_argument"))
    log.feed(guest(13, "Traceback (most recent call last):"))
    log.feed(guest(13, '  File "/srv/geometry.py", line 3, in <module>'))
    log.feed(guest(13, "ModuleNotFoundError: No module named 'shapely'"))
    log.feed(guest(11, "RuntimeError: something else, in a component that runs"))
    assert log.feed(restarting(13, "/srv/geometry.py")) is Line.CHANGED
    assert log.failure == (
        "ModuleNotFoundError: No module named 'shapely' "
        "(/srv/geometry.py exited with status 1 after 0.2s; restarting in 0.5s)"
    )


def test_crossbar_saying_a_guest_failed_is_explained_by_a_guest_that_never_joined() -> None:
    log = NodeLog(["calc", "tool"])
    log.feed(joined(11, "calc"))
    log.feed(guest(11, "ValueError: logged by calc, which runs"))
    log.feed(guest(14, "/usr/bin/python3: can't open file '/srv/tool.py': [Errno 2] No such file"))
    log.feed(controller('Guest "tool" exited with error'))
    assert log.failure is not None
    assert log.failure.startswith("/usr/bin/python3: can't open file '/srv/tool.py'")
    assert log.failure.endswith('(Guest "tool" exited with error)')


def test_a_failure_without_last_words_is_the_failure_line() -> None:
    log = NodeLog(["calc"])
    log.feed(restarting(15, "wampgate.components.calc"))
    assert log.failure == message(restarting(15, "wampgate.components.calc"))


def test_a_restart_after_the_start_is_no_failure() -> None:
    log = NodeLog(["calc"])
    log.feed(controller(logformat.BOOT_COMPLETE))
    log.feed(joined(11, "calc"))
    log.feed(restarting(11, "wampgate.components.calc"))
    assert log.failure is None


def test_a_component_that_joins_under_another_name_is_pointed_out() -> None:
    log = NodeLog(["geometry"])
    assert log.feed(joined(16, "geo")) is Line.PLAIN
    assert log.strangers == {"geo"}
    reason = log.not_ready_reason()
    assert reason.startswith("waiting for geometry; geo joined instead")
    assert "Api name must equal its guest worker id" in reason


def test_message_strips_the_prefixes_and_the_console_shows_what_matters() -> None:
    assert message(restarting(1, "m")).startswith("m exited with status 1")
    assert worth_showing(joined(1, "calc"))
    assert worth_showing(restarting(1, "m"))
    assert not worth_showing(guest(1, "wampgate.components.echo INFO echo text, 4 bytes"))
