"""The framed, sealed channel over real sockets (socketpair)."""

from __future__ import annotations

import socket
import struct
import threading
import tracemalloc
from collections.abc import Iterator

import pytest

from app.remote import protocol as p
from app.remote.channel import Channel, ChannelClosed, ChannelError
from app.remote.pairing import AgentPairing, SessionKeys, TechnicianPairing


@pytest.fixture
def sockets() -> Iterator[tuple[socket.socket, socket.socket]]:
    left, right = socket.socketpair()
    yield left, right
    left.close()
    right.close()


def paired_keys() -> tuple[SessionKeys, SessionKeys]:
    agent = AgentPairing("123456789", b"ctx")
    technician = TechnicianPairing("123456789", b"ctx")
    confirm, technician_keys = technician.on_pair_reply(agent.on_pair_start(technician.start()))
    return agent.on_pair_confirm(confirm), technician_keys


def test_plain_pairing_messages_then_sealed_messages(sockets: tuple[socket.socket, socket.socket]) -> None:
    left, right = Channel(sockets[0]), Channel(sockets[1])
    hello = p.Hello(1, p.Role.TECHNICIAN, [])
    left.send(hello)
    assert right.receive(5) == hello
    agent_keys, technician_keys = paired_keys()
    left.install_keys(technician_keys)
    right.install_keys(agent_keys)
    chat = p.Chat("Příliš žluťoučký kůň")
    left.send(chat)
    right.send(p.Chat("back"))
    assert right.receive(5) == chat
    assert left.receive(5) == p.Chat("back")
    assert left.sealed and right.sealed


def test_sealed_frames_hide_the_content(sockets: tuple[socket.socket, socket.socket]) -> None:
    sender = Channel(sockets[0])
    sender.install_keys(paired_keys()[1])
    sender.send(p.Chat("secret words"))
    raw = sockets[1].recv(4096)
    assert b"secret words" not in raw


def test_a_flipped_byte_closes_with_a_reason(sockets: tuple[socket.socket, socket.socket]) -> None:
    agent_keys, technician_keys = paired_keys()
    sealer = technician_keys.sealer()
    record = bytearray(sealer.seal(p.encode(p.Chat("hello"))))
    record[-3] ^= 0x40
    sockets[0].sendall(struct.pack(">I", len(record)) + record)
    receiver = Channel(sockets[1])
    receiver.install_keys(agent_keys)
    with pytest.raises(ChannelError, match="failed authentication"):
        receiver.receive(5)


def test_a_replayed_frame_is_rejected(sockets: tuple[socket.socket, socket.socket]) -> None:
    agent_keys, technician_keys = paired_keys()
    sealer = technician_keys.sealer()
    record = sealer.seal(p.encode(p.Chat("hello")))
    frame = struct.pack(">I", len(record)) + record
    sockets[0].sendall(frame + frame)
    receiver = Channel(sockets[1])
    receiver.install_keys(agent_keys)
    assert receiver.receive(5) == p.Chat("hello")
    with pytest.raises(ChannelError, match="replayed"):
        receiver.receive(5)


def test_content_before_pairing_is_refused(sockets: tuple[socket.socket, socket.socket]) -> None:
    Channel(sockets[0]).send(p.Pointer(1, 1))
    with pytest.raises(p.ProtocolError, match="before pairing"):
        Channel(sockets[1]).receive(5)


def test_a_huge_length_is_refused_before_allocating(sockets: tuple[socket.socket, socket.socket]) -> None:
    sockets[0].sendall(struct.pack(">I", 0xFFFFFFF0))
    tracemalloc.start()
    try:
        with pytest.raises(ChannelError, match="frame length"):
            Channel(sockets[1]).receive(5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_an_http_request_is_refused(sockets: tuple[socket.socket, socket.socket]) -> None:
    sockets[0].sendall(b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")
    with pytest.raises(ChannelError, match="frame length"):
        Channel(sockets[1]).receive(5)


def test_garbage_inside_a_frame_is_a_protocol_error(sockets: tuple[socket.socket, socket.socket]) -> None:
    sockets[0].sendall(struct.pack(">I", 3) + b"\x93\x63\x00")
    with pytest.raises(p.ProtocolError):
        Channel(sockets[1]).receive(5)


def test_idle_timeout_returns_none_and_keeps_the_stream_usable(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    receiver = Channel(sockets[1])
    assert receiver.receive(0.01) is None
    Channel(sockets[0]).send(p.Bye("x"))
    assert receiver.receive(5) == p.Bye("x")


def test_end_of_stream_between_and_inside_frames(sockets: tuple[socket.socket, socket.socket]) -> None:
    sockets[0].sendall(struct.pack(">I", 10) + b"abc")
    sockets[0].shutdown(socket.SHUT_WR)
    with pytest.raises(ChannelError, match="middle of a frame"):
        Channel(sockets[1]).receive(5)
    left, right = socket.socketpair()
    with left, right:
        left.shutdown(socket.SHUT_WR)
        with pytest.raises(ChannelClosed):
            Channel(right).receive(5)


def test_close_wakes_a_blocked_reader(sockets: tuple[socket.socket, socket.socket]) -> None:
    channel = Channel(sockets[1])
    errors: list[BaseException] = []
    started = threading.Event()

    def read() -> None:
        started.set()
        try:
            channel.receive(None)
        except ChannelError as error:
            errors.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    started.wait(5)
    channel.close()
    reader.join(5)
    assert not reader.is_alive()
    assert errors and isinstance(errors[0], ChannelClosed)


def test_close_wakes_a_sender_whose_peer_never_reads(sockets: tuple[socket.socket, socket.socket]) -> None:
    channel = Channel(sockets[0])
    errors: list[BaseException] = []
    blocked = threading.Event()

    def flood() -> None:
        try:
            while True:
                blocked.set()
                channel.send(p.Clipboard("x" * 500_000))
        except ChannelError as error:
            errors.append(error)

    sender = threading.Thread(target=flood)
    sender.start()
    blocked.wait(5)
    channel.close()
    sender.join(5)
    assert not sender.is_alive()
    assert errors
    with pytest.raises(ChannelClosed):
        channel.send(p.Bye("late"))


def test_before_pairing_only_small_frames_are_accepted(sockets: tuple[socket.socket, socket.socket]) -> None:
    from app.remote.channel import MAX_PAIRING_FRAME_BYTES

    sockets[0].sendall(struct.pack(">I", MAX_PAIRING_FRAME_BYTES + 1))
    with pytest.raises(ChannelError, match="frame length"):
        Channel(sockets[1]).receive(5)


def test_after_pairing_large_frames_pass(sockets: tuple[socket.socket, socket.socket]) -> None:
    agent_keys, technician_keys = paired_keys()
    left, right = Channel(sockets[0]), Channel(sockets[1])
    left.install_keys(technician_keys)
    right.install_keys(agent_keys)
    big = p.Clipboard("x" * 200_000)
    sender = threading.Thread(target=left.send, args=(big,))
    sender.start()
    assert right.receive(5) == big
    sender.join(5)


def test_a_trickled_frame_is_continued_across_idle_returns(sockets: tuple[socket.socket, socket.socket]) -> None:
    raw = p.encode(p.Bye("slowly"))
    frame = struct.pack(">I", len(raw)) + raw
    receiver = Channel(sockets[1])
    sockets[0].sendall(frame[:2])
    assert receiver.receive(0.01) is None  # half a header: the caller gets control back to tick its clock
    sockets[0].sendall(frame[2:7])
    assert receiver.receive(0.01) is None
    sockets[0].sendall(frame[7:])
    assert receiver.receive(5) == p.Bye("slowly")


def test_a_frame_that_never_completes_hits_its_deadline(
    sockets: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.remote import channel as channel_module

    monkeypatch.setattr(channel_module, "FRAME_DEADLINE_SECONDS", 0.05)
    sockets[0].sendall(struct.pack(">I", 100) + b"x")
    receiver = Channel(sockets[1])
    with pytest.raises(ChannelError, match="not completed in time"):
        for _ in range(1000):  # each call returns after its idle timeout until the frame deadline passes
            receiver.receive(0.01)
