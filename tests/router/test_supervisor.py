"""The node restart policy (pure)."""

from __future__ import annotations

from wampgate.router.supervisor import RestartPolicy


def test_delays_double_up_to_the_maximum_then_it_gives_up() -> None:
    policy = RestartPolicy(initial=1, maximum=5, limit=4, window=100)
    restarts: list[float] = []
    delays = []
    while (delay := policy.delay(restarts, now=10.0)) is not None:
        delays.append(delay)
        restarts.append(10.0)
    assert delays == [1, 2, 4, 5]


def test_old_restarts_are_forgiven() -> None:
    policy = RestartPolicy(initial=1, limit=2, window=60)
    assert policy.delay([0.0, 1.0], now=30.0) is None
    assert policy.delay([0.0, 1.0], now=62.0) == 1
