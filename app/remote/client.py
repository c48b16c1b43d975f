"""The technician's I/O driver: pairs with the session code, asks for consent, pulls frames, sends input.

It runs over any byte stream (a paramiko direct-tcpip channel, a socket) and drives
:class:`app.remote.session.TechnicianSession`.  A reader thread receives and decodes; a writer thread sends,
so the public methods never wait on the network and are safe to call from any thread (the UI's, too).
Callbacks in :class:`TechnicianCallbacks` run on the reader thread, outside every lock; a frame callback
receives the decoder's framebuffer and must copy what it keeps before calling :meth:`TechnicianClient.frame_drawn`.

Frames are pulled with a window of :data:`~app.remote.link.FRAME_WINDOW` requests: a request goes out whenever
fewer than that are outstanding or waiting to be drawn, so the agent captures and encodes the next update
while this side decodes and draws the last one, and no more than the window can ever queue on a slow link.
A frame callback that keeps an update (to draw it later) holds a place in the window until it calls
:meth:`TechnicianClient.frame_drawn`.

Given a ``reconnect`` callable (open a new byte stream to the same agent: a new SSH connection and
direct-tcpip channel), the client survives a broken or silent link: the session goes to ``reconnecting``
(the console says so within 2 s), a short-lived thread calls ``reconnect`` until a stream opens, and the
session is resumed on it without a new code (see :mod:`app.remote.session`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

import numpy as np
from numpy.typing import NDArray

from app.errors import PodporaError
from app.remote import protocol as p
from app.remote import session as s
from app.remote.channel import ByteStream, Channel, ChannelBroken, ChannelClosed, ChannelError
from app.remote.link import FRAME_WINDOW
from app.remote.pairing import SessionKeys, new_resume_nonce

log = logging.getLogger(__name__)

TICK_SECONDS: Final = 0.25
CLOSE_GRACE_SECONDS: Final = 0.2
#: After a failed reconnect attempt, the next one starts this much later.
RECONNECT_RETRY_SECONDS: Final = 1.0
#: With the window full and no update for this long, one request is sent again: the agent's session keeps
#: one waiting request, so a request lost on its side (its only place for a waiting one was taken) cannot
#: freeze the picture. On an idle screen this costs one small message upstream, and nothing comes back.
WINDOW_PROBE_SECONDS: Final = 5.0


class FrameDecoderLike(Protocol):
    """The viewer's framebuffer (``app.remote.encode.FrameDecoder`` fits)."""

    framebuffer: NDArray[np.uint8]

    def apply(self, width: int, height: int, rects: Sequence[Any]) -> list[tuple[int, int, int, int]]: ...


@dataclass
class TechnicianCallbacks:
    """Reports to the console.  Called on the client's reader thread; must not block for long."""

    on_frame: Callable[[NDArray[np.uint8], list[tuple[int, int, int, int]]], None] | None = None
    on_state: Callable[[str, frozenset[str], bool], None] | None = None
    on_chat: Callable[[str], None] | None = None
    on_message: Callable[[p.Message], None] | None = None
    on_journal: Callable[[str, Mapping[str, str | int]], None] | None = None
    on_ended: Callable[[str], None] | None = None


def default_decoder() -> FrameDecoderLike:
    """The screen codec's decoder (imported lazily: it pulls in numpy and zstandard)."""
    from app.remote.encode import FrameDecoder

    return cast(FrameDecoderLike, FrameDecoder())


_CLOSE: Final = object()


class TechnicianClient:
    """One technician session over ``stream``.  Call :meth:`start`, then use the ``send_*`` methods."""

    def __init__(
        self,
        stream: ByteStream,
        *,
        code: str,
        capabilities: frozenset[p.Capability],
        reason: str = "",
        case_ref: str = "",
        identity: Callable[[str], bytes] | None = None,
        callbacks: TechnicianCallbacks | None = None,
        decoder: FrameDecoderLike | None = None,
        clock: Callable[[], float] = time.monotonic,
        reconnect: Callable[[], ByteStream] | None = None,
        frame_window: int = FRAME_WINDOW,
    ) -> None:
        self._channel: Channel | None = Channel(stream)
        self._last_channel = self._channel
        self._reconnect = reconnect
        self._reconnecting = False  # an attempt thread is running
        self._next_attempt = 0.0
        self.reconnects = 0
        self._link_changed = threading.Event()
        self._session = s.TechnicianSession()
        self._code = code
        self._request = p.ConsentRequest(
            b"", sorted(capabilities, key=list(p.Capability).index), reason[: p.MAX_REASON_CHARS], case_ref
        )
        self._identity = identity
        self.callbacks = callbacks or TechnicianCallbacks()
        self._decoder = decoder
        self._clock = clock
        self._lock = threading.RLock()
        self._outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        # The frame window (under the lock): requests sent on this link and not answered yet, and updates
        # handed to the frame callback and not yet drawn.
        self._frame_window = max(1, min(FRAME_WINDOW, frame_window))
        self._requests_out = 0
        self._undrawn = 0
        self._last_update_at = clock()
        #: How often a request was counted as lost (see :data:`WINDOW_PROBE_SECONDS`).
        self.window_probes = 0
        self._closing = False
        self._ended = threading.Event()
        self.close_reason = ""
        self.frames = 0
        self.frame_bytes = 0
        #: Whether the last update still owes refinement (the picture is exact once this is False).
        self.last_update_pending = True
        self._reader = threading.Thread(target=self._read_loop, name="podpora-client-read", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="podpora-client-write", daemon=True)

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start pairing (the threads start here)."""
        self._writer.start()
        started = s.Started(
            self._code, self._request, self._clock(), identity=self._identity, resumable=self._reconnect is not None
        )
        self._feed(started)
        self._reader.start()

    def stop(self) -> None:
        """End the session: say goodbye and close within :data:`CLOSE_GRACE_SECONDS`."""
        self._feed(s.UserStopped())

    def wait_closed(self, timeout: float) -> bool:
        """Wait until the session ended and the reader finished."""
        return self._ended.wait(timeout)

    @property
    def state(self) -> s.TechnicianState:
        """Where the session stands."""
        return self._session.state

    @property
    def granted(self) -> frozenset[p.Capability]:
        """What the user granted (now)."""
        return self._session.granted

    @property
    def channel(self) -> Channel:
        """The current channel, or the last one while reconnecting (for byte counters)."""
        return self._last_channel

    # --- what the technician does ----------------------------------------------------------------------

    def frame_drawn(self) -> None:
        """The last frame is on screen: its place in the window is free for the next request."""
        deferred: list[Callable[[], None]] = []
        with self._lock:
            self._undrawn = max(0, self._undrawn - 1)
            self._fill_window(deferred)
        self._run(deferred)

    @property
    def frames_requested(self) -> int:
        """Frame requests outstanding on the current link, as this side counts them (for tests and figures)."""
        with self._lock:
            return self._requests_out

    def send_pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None:
        """Pointer position on the streamed monitor, held buttons (bit mask), wheel steps."""
        x = min(max(x, 0), p.MAX_SCREEN_SIDE)
        y = min(max(y, 0), p.MAX_SCREEN_SIDE)
        self._input(p.Pointer(x, y, buttons & 0xFF, max(-64, min(64, wheel)), max(-64, min(64, wheel_horizontal))))

    def send_key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None:
        """A key press or release, by keysym or by text (a key with neither is ignored)."""
        if keysym is None and not text:
            return
        self._input(p.Key(down, keysym=keysym, text=None if keysym is not None else text))

    def send_chat(self, text: str) -> None:
        """A chat line to the user."""
        if text:
            self._feed(s.UserChatted(text[: p.MAX_CHAT_CHARS]))

    def send_clipboard(self, text: str) -> None:
        """Clipboard text for the user (only if the clipboard capability is granted)."""
        self._input(p.Clipboard(text[: p.MAX_CLIPBOARD_CHARS]))

    def select_monitor(self, index: int) -> None:
        """Stream another monitor."""
        self._input(p.SelectMonitor(index))

    def run_script(self, request_id: str, payload: bytes) -> None:
        """Ask the agent to run a diagnostic (payload owned by app.diagnostics)."""
        self._input(p.RunScript(request_id, payload))

    def request_capabilities(self, capabilities: frozenset[str], reason: str) -> None:
        """Ask the user for (more) capabilities; they see a new prompt."""
        wanted = [c for c in p.Capability if c.value in capabilities]
        if not wanted:
            return
        with self._lock:
            session_id = self._session.session_id
        # The claim is bound to this session, so it is made again for every request.
        claim = self._identity(session_id) if self._identity is not None and session_id else b""
        self._input(p.ConsentRequest(claim, wanted, reason[: p.MAX_REASON_CHARS], self._request.case_ref))

    def report_change(self, script_id: str) -> None:
        """Tell the user's side that the technician ran (and approved) this change over their own SSH link."""
        self._input(p.ChangeReport(script_id))

    def give_back(self, capabilities: frozenset[p.Capability]) -> None:
        """Return capabilities voluntarily (e.g. control when done)."""
        self._input(p.Revoke(sorted(capabilities, key=list(p.Capability).index)))

    # --- internals -------------------------------------------------------------------------------------

    def _input(self, message: p.Message) -> None:
        # msgspec checks limits only when decoding: check here what the agent will check, so that a bad value
        # from the UI is dropped instead of ending the session as a protocol violation.
        try:
            p.decode(p.encode(message))
        except p.ProtocolError as error:
            log.info("not sent: %s", error.reason)
            return
        self._feed(s.LocalInputReady(message))

    def _feed(self, event: s.TechnicianEvent, source: Channel | None = None) -> None:
        """Hand an event to the session; one that came from ``source`` is dropped if that link is gone."""
        deferred: list[Callable[[], None]] = []
        with self._lock:
            if source is not None and source is not self._channel:
                return
            for command in self._session.handle(event):
                self._execute(command, deferred)
            if isinstance(event, s.Ticked):
                self._probe_window(event.now)
            self._fill_window(deferred)
        self._run(deferred)

    @staticmethod
    def _run(deferred: list[Callable[[], None]]) -> None:
        # Callbacks and frame decoding run outside the lock, so other threads can keep sending input.
        for action in deferred:
            try:
                action()
            except Exception:
                log.exception("a session callback failed")

    def _fill_window(self, deferred: list[Callable[[], None]]) -> None:
        """Ask for updates until the window is full (call with the lock held).

        The session decides whether a request may go out: it sends the first (full) request itself, on
        consent and on resume, in the same step that starts the stream, and sends nothing while the view is
        paused, revoked or the link is down.
        """
        while self._requests_out + self._undrawn < self._frame_window:
            before = self._requests_out
            for command in self._session.handle(s.FrameDrawn()):
                self._execute(command, deferred)
            if self._requests_out == before:
                return

    def _probe_window(self, now: float) -> None:
        """With the window full and nothing heard for a while, count one request as lost (lock held)."""
        if self._requests_out >= self._frame_window and now - self._last_update_at >= WINDOW_PROBE_SECONDS:
            self._requests_out -= 1
            self._last_update_at = now
            self.window_probes += 1

    def _execute(self, command: s.Command, deferred: list[Callable[[], None]]) -> None:
        callbacks = self.callbacks
        match command:
            case s.Send(message=message):
                self._outbox.put((self._channel, message))
                if isinstance(message, p.FrameRequest):
                    self._requests_out += 1
            case s.InstallKeys(keys=keys):
                if self._channel is not None:
                    self._outbox.put((self._channel, keys))  # sealing starts after the confirmation already queued
                    self._channel.start_opening(keys)
            case s.Close(reason=reason):
                self._begin_close(reason)
            case s.DropLink(reason=reason):
                log.info("the link to the agent is gone (%s); reconnecting", reason)
                dropped, self._channel = self._channel, None
                if dropped is not None:
                    dropped.close()
                self._requests_out = 0  # lost with the link; the session asks for a full picture after the resume
                self._link_changed.set()
            case s.Deliver(message=message):
                self._count_delivery(message)
                deferred.append(lambda: self._deliver(message))
            case s.ShowChat(text=text):
                if callbacks.on_chat is not None:
                    on_chat = callbacks.on_chat
                    deferred.append(lambda: on_chat(text))
            case s.StateChanged(state=state, granted=granted, paused=paused):
                if callbacks.on_state is not None:
                    on_state = callbacks.on_state
                    names = frozenset(c.value for c in granted)
                    deferred.append(lambda: on_state(state.value, names, paused))
            case s.Journal(kind=kind, details=details):
                log.info("session event: %s", kind)
                if callbacks.on_journal is not None:
                    on_journal = callbacks.on_journal
                    deferred.append(lambda: on_journal(kind, details))
            case _:
                pass  # agent-side commands are never emitted by the technician session

    def _count_delivery(self, message: p.Message) -> None:
        """Keep the window's count in step with what the agent holds (lock held)."""
        if isinstance(message, p.FrameUpdate):
            self._requests_out = max(0, self._requests_out - 1)
            self._undrawn += 1
            self._last_update_at = self._clock()
        elif isinstance(message, p.Pause):
            # A pause cancels the agent's capture in flight and keeps one request for the resume.
            self._requests_out = min(self._requests_out, 1)
        elif isinstance(message, p.Revoke) and p.Capability.VIEW in message.capabilities:
            self._requests_out = 0  # the agent drops its requests with the view

    def _deliver(self, message: p.Message) -> None:
        if isinstance(message, p.FrameUpdate):
            if self._decoder is None:
                self._decoder = default_decoder()
            try:
                drawn = self._decoder.apply(message.width, message.height, message.rects)
            except PodporaError as error:
                self._feed(s.PeerMisbehaved(f"undecodable frame: {error}"))
                return
            self.frames += 1
            self.frame_bytes += sum(len(r.data) for r in message.rects)
            self.last_update_pending = message.pending
            if self.callbacks.on_frame is not None:
                self.callbacks.on_frame(self._decoder.framebuffer, drawn)
            return
        if self.callbacks.on_message is not None:
            self.callbacks.on_message(message)

    def _begin_close(self, reason: str) -> None:
        if self._closing:
            return
        self._closing = True
        self.close_reason = reason
        self._outbox.put(_CLOSE)
        timer = threading.Timer(CLOSE_GRACE_SECONDS, self._close_link)
        timer.daemon = True
        timer.start()

    def _close_link(self) -> None:
        channel = self._channel
        if channel is not None:
            channel.close()

    def _read_loop(self) -> None:
        last_tick = self._clock()
        try:
            while not self._closing:
                channel = self._channel
                if channel is None:
                    self._between_links()
                    last_tick = self._clock()
                    continue
                heard_before = channel.bytes_read
                lost: s.TechnicianEvent | None = None
                message: p.Message | None = None
                try:
                    message = channel.receive(TICK_SECONDS)
                except (ChannelClosed, ChannelBroken) as error:
                    lost = s.ConnectionLost(error.reason)
                except (ChannelError, p.ProtocolError) as error:
                    lost = s.PeerMisbehaved(error.reason)
                if lost is not None:
                    self._feed(lost, source=channel)
                    with self._lock:
                        if self._channel is channel and not self._closing:
                            self._channel = None  # nothing more comes from it, whatever the session decided
                            channel.close()
                    if self._reconnect is None:
                        break
                    continue
                now = self._clock()
                if message is not None:
                    self._feed(s.MessageReceived(message, now), source=channel)
                if message is None or now - last_tick >= TICK_SECONDS:
                    last_tick = now
                    self._feed(s.Ticked(now, heard=channel.bytes_read != heard_before))
        finally:
            # A decoder with a process of its own (app.remote.decoder_process) ends with the session.
            close_decoder = getattr(self._decoder, "close", None)
            if callable(close_decoder):
                close_decoder()
            self._ended.set()
            if self.callbacks.on_ended is not None:
                self.callbacks.on_ended(self.close_reason or self._session.close_reason or "closed")

    def _between_links(self) -> None:
        """No link: tick the session (it gives up at its deadline) and start a reconnect attempt when due."""
        now = self._clock()
        with self._lock:
            due = (
                self._reconnect is not None
                and self._session.state is s.TechnicianState.RECONNECTING
                and not self._reconnecting
                and not self._closing
                and now >= self._next_attempt
            )
            if due:
                self._reconnecting = True
        if due:
            threading.Thread(target=self._attempt_reconnect, name="podpora-client-reconnect", daemon=True).start()
        self._feed(s.Ticked(now))
        self._link_changed.wait(TICK_SECONDS)
        self._link_changed.clear()

    def _attempt_reconnect(self) -> None:
        """One reconnect attempt (blocking: a new SSH connection); the new link then proves the session."""
        assert self._reconnect is not None  # noqa: S101 - only started with a reconnect callable
        stream: ByteStream | None = None
        try:
            stream = self._reconnect()
        except (PodporaError, OSError, EOFError) as error:
            log.info("reconnecting failed: %s", error)
        finally:
            with self._lock:
                self._reconnecting = False
                self._next_attempt = self._clock() + RECONNECT_RETRY_SECONDS
        if stream is None:
            return
        channel = Channel(stream)
        with self._lock:
            usable = (
                not self._closing and self._session.state is s.TechnicianState.RECONNECTING and self._channel is None
            )
            if usable:
                self._channel = self._last_channel = channel
                self.reconnects += 1
        if not usable:
            channel.close()
            return
        self._feed(s.LinkOpened(new_resume_nonce(), self._clock()), source=channel)
        self._link_changed.set()

    def _write_loop(self) -> None:
        while True:
            entry = self._outbox.get()
            if entry is _CLOSE:
                self._close_link()
                return
            channel, item = cast(tuple[Channel | None, object], entry)
            if channel is None or channel is not self._channel:
                continue  # for a link that is gone: the session sends what matters again after the resume
            try:
                if isinstance(item, SessionKeys):
                    channel.start_sealing(item)
                else:
                    channel.send(cast(p.Message, item))
            except (ChannelError, p.ProtocolError) as error:
                channel.close()
                self._feed(s.ConnectionLost(f"send failed: {error}"), source=channel)
