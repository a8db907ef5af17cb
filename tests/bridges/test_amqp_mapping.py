"""RabbitMQ <-> WAMP mapping rules and the shared payload rules, without servers."""

from __future__ import annotations

import base64
import itertools
import json

import pytest
from wampgate.components import amqp_mapping as m
from wampgate.components import bridge
from wampgate.components.amqp_bridge import AmqpSettings
from wampgate.contract import env


def test_inbound_specs() -> None:
    assert m.Inbound.parse("sensors") == m.Inbound("sensors", "fanout", "", None)
    assert m.Inbound.parse("events:topic") == m.Inbound("events", "topic", "#", None)
    assert m.Inbound.parse("cmd:direct:arm=demo.arm") == m.Inbound(
        "cmd", "direct", "arm", "demo.arm"
    )
    for bad in ("x:headers", "bad name", "x=has space"):
        with pytest.raises(bridge.SettingsError):
            m.Inbound.parse(bad)


def test_outbound_specs() -> None:
    assert m.Outbound.parse("demo.cmd.=commands:topic") == m.Outbound(
        "demo.cmd.", "commands", "topic"
    )
    with pytest.raises(bridge.SettingsError, match="expected"):
        m.Outbound.parse("commands")
    assert m.Outbound("demo.cmd.", "c").routing_key("demo.cmd.arm.move") == "arm.move"


def test_default_topic_names() -> None:
    route = m.Inbound("sensors")
    assert route.topic_for("") == "amqp.sensors"
    assert route.topic_for("robot.arm") == "amqp.sensors.robot.arm"
    assert route.topic_for("a b..c#") == "amqp.sensors.a_b._.c_"
    assert m.Inbound("sensors", topic="demo.s").topic_for("any.key") == "demo.s"
    assert route.queue_name("b1") == "wampgate.b1.sensors"
    assert m.Inbound("e", "topic", "#").queue_name("b1") == "wampgate.b1.e.#"


@pytest.mark.parametrize(
    ("body", "content_type", "args", "kwargs"),
    [
        (b'{"x": 1}', "application/json", (), {"x": 1}),
        (b"[1, 2]", None, (1, 2), {}),
        (b"42", None, (42,), {}),
        (b"plain words", "text/plain", ("plain words",), {}),
        (b"not json", None, ("not json",), {}),
    ],
)
def test_bodies_become_arguments(
    body: bytes, content_type: str | None, args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    event = m.to_event(m.Inbound("ex"), body, routing_key="k", content_type=content_type)
    assert event is not None
    assert event.args == args
    meta = event.kwargs.pop(m.META)
    assert event.kwargs == kwargs
    assert meta["exchange"] == "ex" and meta["routing_key"] == "k"


def test_binary_body_is_base64_with_its_content_type() -> None:
    raw = bytes(range(256))
    event = m.to_event(m.Inbound("ex"), raw, content_type="image/png", headers={"h": b"v"})
    assert event is not None
    assert base64.b64decode(event.args[0]) == raw
    assert event.kwargs[m.META]["content_type"] == "image/png"
    assert event.kwargs[m.META]["encoding"] == "base64"
    assert event.kwargs[m.META]["headers"] == {"h": "v"}


def test_reserved_keyword_keeps_the_object_whole() -> None:
    event = m.to_event(m.Inbound("ex"), b'{"options": 1, "x": 2}')
    assert event is not None
    assert event.args == ({"options": 1, "x": 2},)
    assert set(event.kwargs) == {m.META}


def test_events_become_json_bodies() -> None:
    route = m.Outbound("demo.cmd.", "commands", "topic")
    for args, kwargs, value in [
        ((5,), {}, 5),
        ((1, 2), {}, [1, 2]),
        ((), {"a": 1}, {"a": 1}),
        ((1,), {"a": 1}, {"args": [1], "kwargs": {"a": 1}}),
    ]:
        message = m.to_message(route, "demo.cmd.arm.move", args, kwargs, "b1")
        assert message is not None
        assert json.loads(message.body) == value
        assert message.routing_key == "arm.move"
        assert message.headers[m.ORIGIN_HEADER] == "b1"
        # and back: what WAMP sent arrives as what it was (one value, args or kwargs)
        back = bridge.decode_body(message.body, message.content_type)
        if not (args and kwargs):
            assert (back.args, dict(back.kwargs or {})) == (args, kwargs)


def test_loops_are_cut_both_ways() -> None:
    inbound = m.Inbound("ex")
    outbound = m.Outbound("demo.x", "ex")
    event = m.to_event(inbound, b"1")
    assert event is not None
    assert m.to_message(outbound, "demo.x", event.args, event.kwargs, "b1") is None
    message = m.to_message(outbound, "demo.x", (1,), {}, "b1")
    assert message is not None
    assert m.to_event(inbound, message.body, headers=message.headers) is None


def test_backoff_grows_to_a_ceiling() -> None:
    assert list(itertools.islice(bridge.backoff(0.5, 4), 6)) == [0.5, 1, 2, 4, 4, 4]


def test_settings_from_env() -> None:
    settings = AmqpSettings.from_env({env.AMQP_IN: "a, b:topic=demo.b", env.AMQP_OUT: "demo.o.=o"})
    assert [r.exchange for r in settings.inbound] == ["a", "b"]
    assert settings.name == "amqp"
    with pytest.raises(bridge.SettingsError, match="no mappings"):
        AmqpSettings.from_env({})
    with pytest.raises(bridge.SettingsError, match="letters"):
        AmqpSettings.from_env({env.AMQP_IN: "a", env.BRIDGE_NAME: "x y"})


def test_state_rates_and_counts() -> None:
    state = bridge.BridgeState("b1", "amqp", ["m"])
    state.count("to_wamp", 3)
    state.lost("gone")
    snap = state.snapshot()
    assert snap["counts"]["to_wamp"] == 3 and snap["broker"] == "reconnecting"
    assert snap["rates"]["to_wamp"] > 0 and snap["reconnects"] == 1
    assert state.snapshot()["rates"]["to_wamp"] == 0  # nothing new since the last look
