"""Direct frames: an idle, writable socket gets an event's shared frame written at once; a busy or
paused one gets it through its queue, and nothing is ever reordered."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import anyio
import pytest

from backend.realtime.direct import text_frame
from backend.realtime.hub import Client, Hub
from backend.security.principal import Principal


class FakeSocket:
    """The outside world: a socket that takes direct writes while ``taking``."""

    def __init__(self) -> None:
        self.taking = True
        self.wire: list[bytes] = []  # in the order they reached the socket

    async def send_text(self, data: str) -> None:
        self.wire.append(text_frame(data.encode()))

    def writable(self) -> bool:
        return self.taking

    def write_frame(self, frame: bytes) -> bool:
        if not self.taking:
            return False
        self.wire.append(frame)
        return True

    async def close(self, code: int, reason: str) -> None:
        pass


def make_hub(queue_size: int = 10) -> Hub:
    unused = cast(Any, None)  # no streams are read in these tests
    return Hub(unused, unused, snapshot_context=None, load_districts=unused, queue_size=queue_size)


def make_client(sink: FakeSocket, hub: Hub | None = None) -> Client:
    principal = Principal(
        user_id="u1",
        username="wall",
        display_name="wall",
        roles=frozenset(),
        permissions=frozenset(),
        capabilities=frozenset(),
        org_path="440310",
        session_id="s1",
        expires_at=2e9,
    )
    return (hub or make_hub()).attach(sink, principal)


def texts(wire: list[bytes]) -> list[str]:
    """What a client reads off the wire, frame by frame."""
    out = []
    for raw in wire:
        assert raw[0] == 0x81, "a final, unmasked text frame"
        out.append(bytes(raw[2:] if raw[1] < 126 else raw[4:]).decode())
    return out


@pytest.mark.parametrize("size", [0, 125, 126, 200, 65535, 65536])
def test_text_frame_header_and_payload(size: int) -> None:
    payload = b"x" * size
    frame = text_frame(payload)
    assert frame.endswith(payload)
    header = frame[: len(frame) - size]
    if size < 126:
        assert header == bytes([0x81, size])
    elif size < 65536:
        assert header == bytes([0x81, 126]) + size.to_bytes(2, "big")
    else:
        assert header == bytes([0x81, 127]) + size.to_bytes(8, "big")


async def test_idle_writable_socket_gets_the_shared_frame_without_queueing() -> None:
    sink = FakeSocket()
    client = make_client(sink)
    shared = text_frame(b'{"type":"event","n":1}')
    client.offer('{"type":"event","n":1}', shared)
    assert sink.wire == [shared]
    assert sink.wire[0] is shared, "the event's frame is written as built, not rebuilt"
    assert client.queue.empty()
    assert client.sent == 1


async def test_paused_socket_queues_and_later_messages_wait_behind_the_queue() -> None:
    sink = FakeSocket()
    client = make_client(sink)
    sink.taking = False
    client.offer('{"n":1}')
    sink.taking = True  # writable again, but n=1 is still queued: n=2 must not overtake it
    client.offer('{"n":2}', text_frame(b'{"n":2}'))
    assert sink.wire == []
    assert client.queue.qsize() == 2
    sender = asyncio.create_task(client.run_sender())
    with anyio.fail_after(5):
        while len(sink.wire) < 2 or client.sending_since is not None:
            await asyncio.sleep(0)
    client.offer('{"n":3}')  # idle again: direct
    assert texts(sink.wire) == ['{"n":1}', '{"n":2}', '{"n":3}']
    client.drop(None, "done")
    with anyio.fail_after(5):
        await sender


async def test_full_queue_of_a_paused_socket_drops_it_as_too_slow() -> None:
    sink = FakeSocket()
    client = make_client(sink, make_hub(queue_size=3))
    sink.taking = False
    for n in range(4):
        client.offer(f'{{"n":{n}}}')
    assert client.closed
    assert client.close_code == 4008
    assert client.hub.dropped_slow == 1


async def test_a_batch_reaches_an_idle_socket_in_one_write_and_a_paused_one_through_its_queue() -> (
    None
):
    idle, paused = FakeSocket(), FakeSocket()
    paused.taking = False
    hub = make_hub()
    clients = [make_client(idle, hub), make_client(paused, hub)]
    hub.corking = True
    frames = [text_frame(b'{"n":%d}' % n) for n in range(3)]
    for n, frame in enumerate(frames):
        for client in clients:
            client.offer(f'{{"n":{n}}}', frame)
    assert idle.wire == [], "held until the batch ends"
    hub.corking = False
    for client in hub.corked:
        client.uncork()
    assert idle.wire == [b"".join(frames)], "one write, the same frames back to back"
    assert clients[0].sent == 3
    assert paused.wire == []
    assert clients[1].queue.qsize() == 3
