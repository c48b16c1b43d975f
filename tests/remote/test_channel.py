"""The framed, sealed channel over real sockets (socketpair)."""

from __future__ import annotations

import socket
import threading
import tracemalloc
from collections.abc import Iterator

import pytest

from app.remote import protocol as p
from app.remote.channel import Channel, ChannelClosed, ChannelError, frame_header, parse_header
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
    sockets[0].sendall(frame_header(len(record)) + record)
    receiver = Channel(sockets[1])
    receiver.install_keys(agent_keys)
    with pytest.raises(ChannelError, match="failed authentication"):
        receiver.receive(5)


def test_a_replayed_frame_is_rejected(sockets: tuple[socket.socket, socket.socket]) -> None:
    agent_keys, technician_keys = paired_keys()
    sealer = technician_keys.sealer()
    record = sealer.seal(p.encode(p.Chat("hello")))
    frame = frame_header(len(record)) + record
    sockets[0].sendall(frame + frame)
    receiver = Channel(sockets[1])
    receiver.install_keys(agent_keys)
    assert receiver.receive(5) == p.Chat("hello")
    with pytest.raises(ChannelError, match="record 1 failed authentication"):
        receiver.receive(5)


def test_content_before_pairing_is_refused(sockets: tuple[socket.socket, socket.socket]) -> None:
    Channel(sockets[0]).send(p.Pointer(1, 1))
    with pytest.raises(p.ProtocolError, match="before pairing"):
        Channel(sockets[1]).receive(5)


def test_a_huge_length_is_refused_before_allocating(sockets: tuple[socket.socket, socket.socket]) -> None:
    sockets[0].sendall(b"\xff\xff\xff\x7f")  # 2**28 - 1, the largest length a header can say
    tracemalloc.start()
    try:
        with pytest.raises(ChannelError, match="frame length"):
            Channel(sockets[1]).receive(5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_an_http_request_is_refused(sockets: tuple[socket.socket, socket.socket]) -> None:
    # "G" reads as a 71-byte frame, and the rest of the request is not a message.
    sockets[0].sendall(
        b"GET / HTTP/1.1\r\nHost: evil.example\r\nOrigin: https://evil.example\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    )
    with pytest.raises(p.ProtocolError, match="invalid message"):
        Channel(sockets[1]).receive(5)


@pytest.mark.parametrize(
    ("header", "reason"),
    [(b"\x80\x80\x80\x80\x01", "longer than 4 bytes"), (b"\x85\x00", "shortest form"), (b"\x00", "outside")],
)
def test_a_malformed_length_header_is_refused(
    sockets: tuple[socket.socket, socket.socket], header: bytes, reason: str
) -> None:
    sockets[0].sendall(header)
    with pytest.raises(ChannelError, match=reason):
        Channel(sockets[1]).receive(5)


@pytest.mark.parametrize("length", [1, 127, 128, 16383, 16384, p.MAX_MESSAGE_BYTES + 16, 2**28 - 1])
def test_length_headers_are_shortest_leb128_and_parse_back(length: int) -> None:
    header = frame_header(length)
    assert len(header) == (length.bit_length() + 6) // 7
    assert parse_header(header) == length
    assert parse_header(header[:-1]) is None
    with pytest.raises(ValueError, match="cannot be framed"):
        frame_header(2**28)


def test_garbage_inside_a_frame_is_a_protocol_error(sockets: tuple[socket.socket, socket.socket]) -> None:
    sockets[0].sendall(frame_header(3) + b"\x93\x63\x00")
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
    sockets[0].sendall(frame_header(10) + b"abc")
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

    sockets[0].sendall(frame_header(MAX_PAIRING_FRAME_BYTES + 1))
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
    raw = p.encode(p.Bye("slowly " * 30))
    frame = frame_header(len(raw)) + raw
    assert len(frame) - len(raw) == 2
    receiver = Channel(sockets[1])
    sockets[0].sendall(frame[:1])
    assert receiver.receive(0.01) is None  # half a header: the caller gets control back to tick its clock
    sockets[0].sendall(frame[1:7])
    assert receiver.receive(0.01) is None
    sockets[0].sendall(frame[7:])
    assert receiver.receive(5) == p.Bye("slowly " * 30)


def test_a_frame_that_never_completes_hits_its_deadline(
    sockets: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.remote import channel as channel_module

    monkeypatch.setattr(channel_module, "FRAME_DEADLINE_SECONDS", 0.05)
    sockets[0].sendall(frame_header(100) + b"x")
    receiver = Channel(sockets[1])
    with pytest.raises(ChannelError, match="not completed in time"):
        for _ in range(1000):  # each call returns after its idle timeout until the frame deadline passes
            receiver.receive(0.01)


def test_small_updates_travel_compact_and_arrive_whole(sockets: tuple[socket.socket, socket.socket]) -> None:
    agent_keys, technician_keys = paired_keys()
    agent, technician = Channel(sockets[0]), Channel(sockets[1])
    agent.install_keys(agent_keys)
    technician.install_keys(technician_keys)
    full = p.FrameUpdate(1, 1920, 1080, [p.Rect(0, 0, 64, 64, 7, b"\x01" + bytes(40))])
    agent.send(full)
    assert technician.receive(5) == full
    sizes = []
    for seq, x in enumerate(range(600, 660, 12), start=2):
        glyph = p.FrameUpdate(seq, 1920, 1080, [p.Rect(x, 452, 12, 17, 7, b"\x00abcde")])
        before = agent.bytes_sent
        agent.send(glyph)
        sizes.append(agent.bytes_sent - before)
        assert technician.receive(5) == glyph
    # One byte of length, the 16-byte tag, four bytes of header (after the first jump), six bytes of data.
    assert sizes[1:] == [1 + 16 + 4 + 6] * (len(sizes) - 1)
    assert technician.bytes_received == agent.bytes_sent


def test_a_compact_update_off_the_screen_closes_with_a_reason(sockets: tuple[socket.socket, socket.socket]) -> None:
    agent_keys, technician_keys = paired_keys()
    sealer = agent_keys.sealer()
    receiver = Channel(sockets[1])
    receiver.install_keys(technician_keys)
    full = p.encode(p.FrameUpdate(1, 100, 100, [p.Rect(90, 90, 1, 1, 0, bytes(4))]))
    off_screen = b"\x21\x28\x00\x0c" + bytes(4)  # x = 90 + 20: past the right edge
    for plaintext in (full, off_screen):
        record = sealer.seal(plaintext)
        sockets[0].sendall(frame_header(len(record)) + record)
    assert isinstance(receiver.receive(5), p.FrameUpdate)
    with pytest.raises(p.ProtocolError, match="outside the screen"):
        receiver.receive(5)
