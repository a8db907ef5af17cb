"""RFC 6455 conformance of the echo server, case by case, with raw frames.

The cases follow the sections of the Autobahn WebSocket test suite's fuzzing
client (framing, pings, reserved bits, opcodes, fragmentation, UTF-8, close
handling, limits): the client writes exact bytes and checks the server's
answer, including the close code, then that the server still serves.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import struct

import pytest
from wampgate.router.launcher import Gateway

TEXT, BINARY, CLOSE, PING, PONG, CONT = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


def frame(opcode: int, payload: bytes = b"", fin: bool = True, rsv: int = 0) -> bytes:
    """A client frame (masked, as RFC 6455 requires of clients)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def close_payload(code: int, reason: bytes = b"") -> bytes:
    return struct.pack("!H", code) + reason


class RawClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> RawClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def send(self, *frames: bytes) -> None:
        self.writer.write(b"".join(frames))
        await self.writer.drain()

    async def recv(self) -> tuple[int, bytes]:
        """(opcode, payload) of the next whole frame; (-1, b"") when the TCP stream ended."""
        try:
            b1, b2 = await asyncio.wait_for(self.reader.readexactly(2), 10)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            return -1, b""
        assert not b2 & 0x80, "server frames must not be masked"
        n = b2 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return b1 & 0x0F, await self.reader.readexactly(n)

    async def expect_close(self, *codes: int, reply: bool = True) -> None:
        """The server closes: a close frame with one of ``codes``, then the TCP end."""
        opcode, payload = await self.recv()
        while opcode in (PONG, TEXT, BINARY):
            opcode, payload = await self.recv()
        assert opcode == CLOSE, (opcode, payload)
        code = struct.unpack("!H", payload[:2])[0] if payload else 1005
        assert code in codes, code
        if reply:
            with contextlib.suppress(ConnectionError):
                await self.send(frame(CLOSE, payload[:2]))
        assert (await self.recv())[0] == -1  # the server drops the connection
        self.writer.close()

    async def close(self) -> None:
        await self.send(frame(CLOSE, close_payload(1000)))
        await self.expect_close(1000, reply=False)


@pytest.fixture
async def client(gateway: Gateway) -> RawClient:
    return await RawClient.open(gateway.settings.echo_port)


async def still_serving(gateway: Gateway) -> None:
    ws = await RawClient.open(gateway.settings.echo_port)
    await ws.send(frame(TEXT, b"still here"))
    assert await ws.recv() == (TEXT, b"still here")
    await ws.close()


# 1. Framing: every payload length class, text and binary.
@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 128, 65535, 65536, 1 << 20])
@pytest.mark.parametrize("opcode", [TEXT, BINARY])
async def test_1_framing(client: RawClient, opcode: int, size: int) -> None:
    payload = (b"*" if opcode == TEXT else b"\xfe") * size
    await client.send(frame(opcode, payload))
    assert await client.recv() == (opcode, payload)
    await client.close()


# 2. Pings and pongs.
async def test_2_ping_gets_pong_with_same_payload(client: RawClient) -> None:
    for payload in (b"", b"hello", bytes(range(125))):
        await client.send(frame(PING, payload))
        assert await client.recv() == (PONG, payload)
    await client.close()


async def test_2_unsolicited_pong_is_ignored(client: RawClient) -> None:
    await client.send(frame(PONG, b"unasked"), frame(TEXT, b"after"))
    assert await client.recv() == (TEXT, b"after")
    await client.close()


async def test_2_ping_over_125_bytes_fails(client: RawClient, gateway: Gateway) -> None:
    await client.send(frame(PING, b"x" * 126))
    await client.expect_close(1002)
    await still_serving(gateway)


async def test_2_fragmented_ping_fails(client: RawClient) -> None:
    await client.send(frame(PING, b"frag", fin=False))
    await client.expect_close(1002)


# 3. Reserved bits without a negotiated extension.
@pytest.mark.parametrize("rsv", [1, 2, 3, 4, 5, 6, 7])
async def test_3_reserved_bits_fail(client: RawClient, rsv: int) -> None:
    await client.send(frame(TEXT, b"hello", rsv=rsv))
    await client.expect_close(1002)


# 4. Reserved opcodes.
@pytest.mark.parametrize("opcode", [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
async def test_4_reserved_opcodes_fail(client: RawClient, opcode: int) -> None:
    await client.send(frame(opcode, b"x"))
    await client.expect_close(1002)


# 5. Fragmentation.
async def test_5_fragmented_text_is_reassembled(client: RawClient) -> None:
    await client.send(
        frame(TEXT, b"frag", fin=False), frame(CONT, b"men", fin=False), frame(CONT, b"ted")
    )
    assert await client.recv() == (TEXT, b"fragmented")
    await client.close()


async def test_5_ping_between_fragments(client: RawClient) -> None:
    await client.send(frame(BINARY, b"\x01", fin=False), frame(PING, b"p"), frame(CONT, b"\x02"))
    assert await client.recv() == (PONG, b"p")
    assert await client.recv() == (BINARY, b"\x01\x02")
    await client.close()


async def test_5_continuation_without_start_fails(client: RawClient) -> None:
    await client.send(frame(CONT, b"orphan"))
    await client.expect_close(1002)


async def test_5_new_message_inside_fragmented_one_fails(client: RawClient) -> None:
    await client.send(frame(TEXT, b"one", fin=False), frame(TEXT, b"two"))
    await client.expect_close(1002)


# 6. UTF-8 in text messages.
async def test_6_valid_utf8_split_across_fragments(client: RawClient) -> None:
    text = "κόσμε ✓ 𝄞".encode()
    await client.send(frame(TEXT, text[:3], fin=False), frame(CONT, text[3:]))
    assert await client.recv() == (TEXT, text)
    await client.close()


@pytest.mark.parametrize(
    "payload",
    [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"abc\xf4\x90\x80\x80", b"\xce\xba\xe1\xbd"],
)
async def test_6_invalid_utf8_fails_with_1007(client: RawClient, payload: bytes) -> None:
    await client.send(frame(TEXT, payload))
    await client.expect_close(1007)


# 7. Close handling.
@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999])
async def test_7_valid_close_codes_are_echoed(client: RawClient, code: int) -> None:
    await client.send(frame(CLOSE, close_payload(code, b"bye")))
    await client.expect_close(1000, code, reply=False)


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535])
async def test_7_invalid_close_codes_fail(client: RawClient, code: int) -> None:
    await client.send(frame(CLOSE, close_payload(code)))
    await client.expect_close(1002)


async def test_7_close_with_one_byte_payload_fails(client: RawClient) -> None:
    await client.send(frame(CLOSE, b"\x03"))
    await client.expect_close(1002)


async def test_7_close_reason_must_be_utf8(client: RawClient) -> None:
    await client.send(frame(CLOSE, close_payload(1000, b"\xff\xfe")))
    await client.expect_close(1007)


async def test_7_empty_close_is_answered(client: RawClient) -> None:
    await client.send(frame(CLOSE))
    opcode, payload = await client.recv()
    assert opcode == CLOSE and payload in (b"", close_payload(1000))
    assert (await client.recv())[0] == -1


async def test_7_nothing_is_echoed_after_close(client: RawClient) -> None:
    await client.send(frame(CLOSE, close_payload(1000)), frame(TEXT, b"too late"))
    await client.expect_close(1000, reply=False)


# 9. Limits: large messages in one frame and in many.
@pytest.mark.parametrize("size", [4 << 20, 8 << 20])
async def test_9_large_messages(client: RawClient, size: int) -> None:
    payload = os.urandom(size)
    await client.send(frame(BINARY, payload))
    assert await client.recv() == (BINARY, payload)
    chunks = [payload[i : i + 65536] for i in range(0, size, 65536)]
    frames = [
        frame(BINARY if i == 0 else CONT, c, fin=i == len(chunks) - 1) for i, c in enumerate(chunks)
    ]
    await client.send(*frames)
    assert await client.recv() == (BINARY, payload)
    await client.close()
