"""The assist agent's I/O driver: serves one technician at a time and obeys the user locally, at once.

It listens on 127.0.0.1 (direct mode; the technician arrives through the machine's OpenSSH) or is handed
byte streams by a reverse forward (gateway mode, :meth:`AssistAgent.serve_stream`).  Each connection runs
:class:`app.remote.session.AgentSession`; this module only carries out its commands:

* a **reader** thread receives messages (and ticks the session's clock while the link is idle);
* a **writer** thread sends, so that no lock is ever held during network I/O and a hung network can never
  delay what the user asked for: :meth:`AssistAgent.stop` stops capture and releases held keys before it
  returns, and the socket is closed within :data:`CLOSE_GRACE_SECONDS` whatever the peer does;
* a **capture** thread grabs and encodes one update per request (pull-based flow control); when nothing
  changed it holds the request and sleeps until the screen is drawn on (X DAMAGE, through a change watch
  that only this thread opens, uses and closes; a stop wakes it through the watch's wake-up descriptor),
  or polls adaptively where no such events exist.  An idle screen costs no bytes and next to no CPU.

Everything the agent needs from the machine is injected: a :class:`ScreenSource`, an encoder factory, an
:class:`InputSink` and a :class:`ConsentProvider` (the assist window, or an unattended policy).  None of them
is imported here, so the agent runs (and is tested) without a display.  Callbacks in
:class:`AgentCallbacks` run on the agent's threads and must return promptly.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, cast

import numpy as np
from numpy.typing import NDArray

from app.errors import PodporaError
from app.remote import protocol as p
from app.remote import session as s
from app.remote.channel import ByteStream, Channel, ChannelBroken, ChannelClosed, ChannelError
from app.remote.identity import Verification, verify_claim
from app.remote.pairing import CodeIssuer, SessionKeys, new_resume_nonce

log = logging.getLogger(__name__)

#: After a stop, the Bye gets this long to leave before the socket is closed regardless.
CLOSE_GRACE_SECONDS: Final = 0.2
#: How often the session's clock ticks while the link is idle (consent timeout, pairing deadline).
TICK_SECONDS: Final = 0.25
#: Without change events, an unchanged screen is polled this often right after a change or input...
POLL_FAST_SECONDS: Final = 0.005
#: ... for this long, then ever more slowly, down to once per :data:`POLL_SLOW_SECONDS`.
POLL_FAST_WINDOW_SECONDS: Final = 0.5
POLL_SLOW_SECONDS: Final = 0.1
#: How soon an unchanged screen is encoded again while a lossless refresh is owed (the encoder counts
#: encodes before refreshing lossy regions).
PENDING_CAPTURE_SECONDS: Final = 1 / 30
#: With change events, how long a held request sleeps before looking once more anyway (a safety net only).
CHANGE_WAIT_SECONDS: Final = 30.0
DEFAULT_PORT: Final = 5990
#: At most this many connections may be proving a resume at once (each has :data:`RESUME_HANDSHAKE_SECONDS`).
MAX_RESUME_ATTEMPTS: Final = 4
RESUME_HANDSHAKE_SECONDS: Final = 10.0


# --- What the agent needs from the machine (structural types; the real ones live in capture/encode/inject) ---


class MonitorLike(Protocol):
    """A monitor as the screen source describes it (``app.remote.capture.Monitor`` fits)."""

    @property
    def index(self) -> int: ...
    @property
    def left(self) -> int: ...
    @property
    def top(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


class ScreenSource(Protocol):
    """Monitors and their pixels (``app.remote.capture.MssScreenSource`` fits).

    A source may also offer ``open_change_watch() -> ChangeWatch | None`` (event-driven change detection);
    without it the capture thread polls.
    """

    def monitors(self) -> Sequence[MonitorLike]: ...

    def grab(self, monitor: Any) -> NDArray[np.uint8]: ...


class ChangeWatch(Protocol):
    """Screen drawing as it happens (``app.remote.capture.DamageWatch`` fits).

    Opened, waited on and closed by the capture thread alone; other threads only call :meth:`wake`.
    """

    def wait(self, timeout: float) -> bool: ...

    def grab_changes(
        self, monitor: Any, frame: NDArray[np.uint8] | None
    ) -> tuple[NDArray[np.uint8], Sequence[Area] | None]: ...

    def wake(self) -> None: ...

    def close(self) -> None: ...


class RectLike(Protocol):
    """An encoded rectangle: the fields of ``protocol.Rect``."""

    @property
    def x(self) -> int: ...
    @property
    def y(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def codec(self) -> int: ...
    @property
    def data(self) -> bytes: ...


class EncodedFrameLike(Protocol):
    """One encoder result (``app.remote.encode.EncodedFrame`` fits)."""

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def rects(self) -> Sequence[RectLike]: ...
    @property
    def pending(self) -> bool: ...


#: An area of the monitor in pixels: ``(x, y, width, height)``.
Area = tuple[int, int, int, int]


class FrameEncoderLike(Protocol):
    """Turns captures of one monitor into updates (``app.remote.encode.FrameEncoder`` fits).

    ``dirty`` (the areas that may have changed since the last call) is passed only when it is known.
    """

    def encode(
        self, frame: NDArray[np.uint8], *, max_bytes: int | None = None, dirty: Sequence[Area] | None = None
    ) -> EncodedFrameLike: ...

    def reset(self) -> None: ...


class _LinkReports(Protocol):
    """The encoder's link estimator, told when requests arrive (``app.remote.link.LinkEstimator`` fits)."""

    def request_arrived(self, now: float, *, full: bool = False) -> None: ...

    def sent(self, byte_count: int, now: float) -> None: ...


# Wire size of an update without rectangles (seal, framing, envelope): a small update for the link estimator.
_EMPTY_UPDATE_BYTES: Final = 64


class InputSink(Protocol):
    """Applies remote input (``app.remote.inject.PynputInputSink`` fits)."""

    def pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None: ...

    def key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None: ...

    def release_all(self) -> None: ...


#: Called with the selected monitor's (left, top, width, height) whenever it changes, to map pointer input.
MappingListener = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class ConsentPrompt:
    """What the consent prompt shows: who (verified or why not), what, why, and until when it waits."""

    verification: Verification
    capabilities: frozenset[p.Capability]
    reason: str
    case_ref: str
    deadline: float
    #: What the verification was made of (the technician's claim and the session it names), so that a broker in
    #: another process can verify it again itself (app.remote.privsep) rather than take this side's word.
    claim: bytes = b""
    session_id: str = ""


class ConsentProvider(Protocol):
    """Asks the user (or an unattended policy) for consent.

    :meth:`ask` must return at once; ``answer`` may be called later from any thread, at most once.  The
    agent treats no answer by the prompt's deadline as a refusal and then calls :meth:`dismiss`.
    """

    def ask(self, prompt: ConsentPrompt, answer: Callable[[frozenset[p.Capability]], None]) -> None: ...

    def dismiss(self) -> None: ...


@dataclass
class AgentCallbacks:
    """Reports to the UI.  Called on the agent's threads; must return promptly and never block."""

    on_state: Callable[[str, frozenset[str], bool], None] | None = None
    on_chat: Callable[[str], None] | None = None
    #: The technician ran a change over their own SSH link (script id); the UI lists it in the summary.
    on_change_report: Callable[[str], None] | None = None
    on_clipboard: Callable[[str], None] | None = None
    on_diagnostic: Callable[[p.RunScript], None] | None = None
    on_journal: Callable[[str, Mapping[str, str | int]], None] | None = None
    on_ended: Callable[[str], None] | None = None


class AgentError(PodporaError):
    """The agent cannot serve (e.g. the port is taken)."""


# --- Defaults shipped for tests and for displays without the real codec -------------------------------


@dataclass
class RawFrame:
    """An update from :class:`RawEncoder`."""

    width: int
    height: int
    rects: list[p.Rect]
    pending: bool = False


class RawEncoder:
    """Codec 0 (raw BGRA): the whole monitor when anything changed, nothing when nothing did."""

    def __init__(self) -> None:
        self._previous: NDArray[np.uint8] | None = None

    def reset(self) -> None:
        """Forget what the viewer has; the next update is complete."""
        self._previous = None

    def encode(
        self, frame: NDArray[np.uint8], *, max_bytes: int | None = None, dirty: Sequence[Area] | None = None
    ) -> RawFrame:
        """Encode ``frame`` (H×W×4 BGRA); ``max_bytes`` and ``dirty`` are ignored (raw sends it all)."""
        del max_bytes, dirty
        height, width = int(frame.shape[0]), int(frame.shape[1])
        if self._previous is not None and self._previous.shape == frame.shape and np.array_equal(self._previous, frame):
            return RawFrame(width, height, [])
        self._previous = frame.copy()
        return RawFrame(width, height, [p.Rect(0, 0, width, height, 0, np.ascontiguousarray(frame).tobytes())])


class PolicyConsentProvider:
    """Answers consent from an organisation-signed unattended policy, else asks ``fallback`` (or refuses).

    ``policy`` is an :class:`app.remote.policy.UnattendedPolicy` (anything with ``decide``).
    """

    def __init__(self, policy: Any, fallback: ConsentProvider | None = None, clock: Callable[[], float] = time.time):
        self._policy = policy
        self._fallback = fallback
        self._clock = clock

    def ask(self, prompt: ConsentPrompt, answer: Callable[[frozenset[p.Capability]], None]) -> None:
        """Grant what the policy pre-grants this verified technician; otherwise ask or refuse."""
        granted: frozenset[p.Capability] = self._policy.decide(
            sorted(prompt.capabilities), prompt.verification, self._clock()
        )
        if granted:
            answer(granted)
        elif self._fallback is not None:
            self._fallback.ask(prompt, answer)
        else:
            answer(frozenset())

    def dismiss(self) -> None:
        """Close the fallback's prompt, if any."""
        if self._fallback is not None:
            self._fallback.dismiss()


# --- The agent ------------------------------------------------------------------------------------------


def open_loopback_listener(port: int) -> socket.socket:
    """A TCP socket listening on 127.0.0.1:``port`` (0 = any free port); :class:`AgentError` when it is taken."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as error:
        listener.close()
        raise AgentError(f"cannot listen on 127.0.0.1:{port}: {error}", user_text="The port is in use.") from None
    listener.listen(4)
    return listener


class AssistAgent:
    """Serves technicians one at a time; all public methods are thread-safe and return promptly."""

    def __init__(
        self,
        *,
        screen: ScreenSource,
        consent: ConsentProvider,
        input_sink: InputSink | None = None,
        encoder_factory: Callable[[], FrameEncoderLike] = RawEncoder,
        on_mapping: MappingListener | None = None,
        org_keys: Sequence[Any] = (),
        callbacks: AgentCallbacks | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        resume_grace: float = s.RESUME_GRACE_SECONDS,
        code_attempts: s.CodeAttempts | None = None,
        pairing: Callable[[str, bytes], s.PairingSide] | None = None,
    ) -> None:
        """``code_attempts`` and ``pairing`` are for a broker that holds the session code and does the key
        exchange itself (``app.remote.privsep``); by default this agent issues codes and pairs."""
        self._screen = screen
        #: How long a session whose technician lost the link waits for a resume (0: it ends at once).
        self.resume_grace = resume_grace
        self._resume_attempts: list[Channel] = []  # oldest first
        self._consent = consent
        self._sink = input_sink
        self._encoder_factory = encoder_factory
        self._on_mapping = on_mapping
        self._org_keys = list(org_keys)
        self.callbacks = callbacks or AgentCallbacks()
        self._clock = clock
        self._wall_clock = wall_clock
        self._codes = CodeIssuer()
        self._code_attempts: s.CodeAttempts = code_attempts or self._codes
        self._pairing = pairing
        self._lock = threading.Lock()
        self._connection: _Connection | None = None
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._stopped = threading.Event()
        self.refused_connections = 0

    # --- lifecycle --------------------------------------------------------------------------------

    def code(self) -> str:
        """The session code to show the user now (a new one after use, expiry or 3 wrong tries)."""
        with self._lock:
            return self._codes.current(self._clock())

    def withdraw_code(self) -> None:
        """The user stopped asking for help: no code pairs until :meth:`code` is called again."""
        with self._lock:
            self._codes.withdraw()

    def code_expires_in(self) -> float:
        """Seconds until the current code expires."""
        with self._lock:
            self._codes.current(self._clock())
            return max(0.0, self._codes.expires_at() - self._clock())

    def listen(self, port: int = 0) -> int:
        """Direct mode: listen on 127.0.0.1:``port`` (0 = any free port) and return the port."""
        return self.serve_listener(open_loopback_listener(port))

    def serve_listener(self, listener: socket.socket) -> int:
        """Accept technicians on ``listener``, a TCP socket already listening (the broker of a protocol process
        that may not bind ports itself hands one over); return its port.  The agent closes it on :meth:`stop`."""
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept_loop, name="podpora-agent-accept", daemon=True)
        self._acceptor.start()
        return int(listener.getsockname()[1])

    def serve_stream(self, stream: ByteStream) -> bool:
        """Serve one connection (gateway mode hands streams here); False if it was refused.

        One connection is served at a time.  A newcomer takes the place of a connection that has not
        started a pairing attempt yet (silent, trickling, or only said Hello): any local process can
        reach the port, and one that merely connects first must not keep the technician out.  A newcomer
        is refused, closed before a single byte is read or sent, while the current connection is pairing
        (its attempt counts against the code) or paired: a second technician cannot join, nor disturb, a
        session.
        """
        displaced: _Connection | None = None
        resume_into: _Connection | None = None
        evicted: Channel | None = None
        with self._lock:
            current = self._connection
            busy = self._stopped.is_set() or (current is not None and not current.displaceable())
            if not busy:
                displaced = current
                self._connection = _Connection(self, stream)
            elif current is not None and not self._stopped.is_set() and current.resumable():
                # Perhaps the technician coming back: it may prove so on this connection (bounded in number
                # and time); until it does, the session goes on undisturbed.  When all places are taken the
                # oldest attempt gives way, so connections that merely sit there cannot lock the technician out.
                if len(self._resume_attempts) >= MAX_RESUME_ATTEMPTS:
                    evicted = self._resume_attempts.pop(0)
                resume_into = current
                channel = Channel(stream)
                self._resume_attempts.append(channel)
        if evicted is not None:
            evicted.close()
        if resume_into is not None:
            threading.Thread(
                target=self._serve_resume, args=(resume_into, channel), name="podpora-agent-resume", daemon=True
            ).start()
            return True
        if displaced is not None:
            self._journal("unpaired_connection_displaced", {})
            displaced.feed(s.ConnectionLost("displaced by a newer connection before pairing"))
        if busy:
            self.refused_connections += 1
            log.info("refused a second connection while a session is being served")
            self._journal("second_connection_refused", {})
            Channel(stream).close()
            return False
        connection = self._connection
        assert connection is not None  # noqa: S101 - set above under the lock
        connection.start()
        return True

    def stop(self) -> None:
        """End everything now: stop capture, release held input, close the session and stop listening.

        Local effects happen before this returns; the network gets :data:`CLOSE_GRACE_SECONDS` to take the
        goodbye, then the socket is closed whether or not the peer reads.
        """
        self._stopped.set()
        with self._lock:
            connection = self._connection
            attempts = list(self._resume_attempts)
        if connection is not None:
            connection.feed(s.UserStopped())
        for channel in attempts:
            channel.close()
        self._close_listener()

    def wait_stopped(self, timeout: float) -> bool:
        """Wait until :meth:`stop` was called and every thread of the agent has finished."""
        if not self._stopped.wait(timeout):
            return False
        deadline = time.monotonic() + timeout
        with self._lock:
            connection = self._connection
        if connection is not None and not connection.join(max(0.0, deadline - time.monotonic())):
            return False
        if self._acceptor is not None:
            self._acceptor.join(max(0.0, deadline - time.monotonic()))
            return not self._acceptor.is_alive()
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no connection is being served (for tests and the headless runner)."""
        with self._lock:
            connection = self._connection
        return connection is None or connection.join(timeout)

    # --- what the user does (from the UI) ---------------------------------------------------------

    def pause(self) -> None:
        """Pause the view (and with it remote input)."""
        self._feed(s.UserPaused())

    def resume(self) -> None:
        """Resume the view."""
        self._feed(s.UserResumed())

    def revoke(self, capabilities: frozenset[p.Capability]) -> None:
        """Take back capabilities; revoking control releases every key and button the technician holds."""
        self._feed(s.UserRevoked(capabilities))

    def revoke_control(self) -> None:
        """Take back control; viewing continues."""
        self.revoke(frozenset({p.Capability.CONTROL}))

    def end_session(self) -> None:
        """End the current session now (the always-visible Stop button), with the same local guarantees as
        :meth:`stop`, but keep the agent ready for the user's next request for help (a new code)."""
        self._feed(s.UserStopped())

    def set_prompt_open(self, is_open: bool) -> None:
        """A local prompt (e.g. a repair approval) is on screen: no remote input is applied meanwhile."""
        self._feed(s.LocalPromptChanged(is_open))

    def send_chat(self, text: str) -> None:
        """Send a chat line to the technician."""
        if text:
            self._feed(s.UserChatted(text[: p.MAX_CHAT_CHARS]))

    def send_feedback(self, rating: int, comment: str) -> None:
        """Send the user's rating (1–5) and comment."""
        self.send_local(p.Feedback(min(max(rating, 1), 5), comment[: p.MAX_CHAT_CHARS]))

    def send_local(self, message: p.Message) -> None:
        """Send an agent-originated message (clipboard, script progress, notice…) if consent allows it.

        A message outside the protocol's limits is dropped here (and logged), rather than sent and then
        ending the session as a violation on the technician's side.
        """
        try:
            p.decode(p.encode(message))
        except p.ProtocolError as error:
            log.info("not sent: %s", error.reason)
            return
        self._feed(s.LocalMessageReady(message))

    # --- internals --------------------------------------------------------------------------------

    def _feed(self, event: s.AgentEvent) -> None:
        with self._lock:
            connection = self._connection
        if connection is not None:
            connection.feed(event)

    def _accept_loop(self) -> None:
        listener = self._listener
        while listener is not None and not self._stopped.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                break  # the listener was closed by stop()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.serve_stream(connection)

    def _serve_resume(self, connection: _Connection, channel: Channel) -> None:
        """One resume attempt on a new connection: ResumeStart → ResumeChallenge → ResumeConfirm, then the
        session decides.  Anything else, a wrong proof or a slow peer closes this connection and only it."""
        deadline = time.monotonic() + RESUME_HANDSHAKE_SECONDS
        adopted = False
        try:
            start = _receive_before(channel, deadline)
            if not isinstance(start, p.ResumeStart):
                self.refused_connections += 1
                log.info("refused a second connection while a session is being served")
                self._journal("second_connection_refused", {})
                return
            answer = connection.resume_challenge(start, new_resume_nonce())
            if isinstance(answer, str):
                channel.send(p.Bye(answer))
                return
            channel.send(answer)
            confirm = _receive_before(channel, deadline)
            adopted = isinstance(confirm, p.ResumeConfirm) and connection.try_resume(channel, start, answer, confirm)
        except (ChannelError, p.ProtocolError) as error:
            log.info("a resume attempt failed: %s", error)
        finally:
            with self._lock:
                if channel in self._resume_attempts:
                    self._resume_attempts.remove(channel)
            if not adopted:
                channel.close()  # the session owns an adopted one

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _connection_ended(self, connection: _Connection, reason: str) -> None:
        with self._lock:
            if self._connection is connection:
                self._connection = None
        if self.callbacks.on_ended is not None:
            self.callbacks.on_ended(reason)

    def _journal(self, kind: str, details: Mapping[str, str | int]) -> None:
        if self.callbacks.on_journal is not None:
            self.callbacks.on_journal(kind, details)


_CLOSE: Final = object()


@dataclass
class _CaptureRequest:
    incremental: bool
    max_bytes: int


@dataclass
class _CaptureState:
    active: bool = False
    request: _CaptureRequest | None = None
    selected: int = -1  # none chosen yet: the first real monitor is streamed
    monitors: list[MonitorLike] = field(default_factory=list)
    generation: int = 0  # bumped on stop/switch so that an in-flight capture is recognised as stale
    reset_encoder: bool = False


def _picture_scale(monitor: MonitorLike | None) -> int:
    """The whole factor a monitor's picture is downscaled by (``capture.Monitor.scale``; 1 when it has none)."""
    factor = getattr(monitor, "scale", 1)
    return factor if isinstance(factor, int) and factor >= 1 else 1


def _receive_before(channel: Channel, deadline: float) -> p.Message | None:
    """The next message on a connection that is proving a resume, or None when the deadline passed."""
    while (remaining := deadline - time.monotonic()) > 0:
        message = channel.receive(min(TICK_SECONDS, remaining))
        if message is not None:
            return message
    return None


class _Connection:
    """One technician session: its session state, its current link (a channel; none while the technician is
    disconnected, a new one after a resume) and its threads."""

    def __init__(self, agent: AssistAgent, stream: ByteStream) -> None:
        self._agent = agent
        self._channel: Channel | None = Channel(stream)
        self._offered: Channel | None = None  # a connection that is completing a resume
        self._link_changed = threading.Event()
        self._session = (
            s.AgentSession(agent._code_attempts, agent._clock(), resume_grace=agent.resume_grace)
            if agent._pairing is None
            else s.AgentSession(
                agent._code_attempts, agent._clock(), resume_grace=agent.resume_grace, pairing=agent._pairing
            )
        )
        self._lock = threading.RLock()
        self._handling = False
        self._backlog: list[s.AgentEvent] = []
        self._outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._capture = _CaptureState()
        self._capture_changed = threading.Condition()
        self._encoder: FrameEncoderLike | None = None
        self._seq = 0
        # When each FrameRequest arrived (monotonic, the encoder's clock), appended by the reader and handed to
        # the encoder's link estimator by the capture thread: with a window of requests the encoder cannot
        # tell when the one it serves arrived.
        self._request_arrivals: deque[tuple[float, bool]] = deque(maxlen=16)  # (arrived at, full)
        # Change detection, owned by the capture thread (the watch is opened, used and closed there).
        self._watch: ChangeWatch | None = None
        self._frame: NDArray[np.uint8] | None = None  # the last capture, brought up to date through the watch
        self._streamed_link: Channel | None = None  # the link the encoder's picture went out on
        self._watch_tried = False
        self._watch_closed = False
        self._capture_woken = False
        self._sent_pending = False
        self._changed_at = self._input_at = 0.0
        self._poll_interval = POLL_FAST_SECONDS
        self._cursor_at: tuple[int, int] | None = None
        self._cursor_serial: int | None = None
        self._ended = threading.Event()
        self._close_reason = ""
        self._closing = False
        self._threads = [
            threading.Thread(target=self._read_loop, name="podpora-agent-read", daemon=True),
            threading.Thread(target=self._write_loop, name="podpora-agent-write", daemon=True),
            threading.Thread(target=self._capture_loop, name="podpora-agent-capture", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def resumable(self) -> bool:
        """Whether a new connection may try to take this session up (the technician can resume)."""
        with self._lock:
            return self._session.resumable and not self._closing

    def resume_challenge(self, start: p.ResumeStart, nonce: bytes) -> p.ResumeChallenge | str:
        """The session's answer to a resume attempt (see :meth:`AgentSession.resume_challenge`)."""
        with self._lock:
            return self._session.resume_challenge(start, nonce)

    def try_resume(
        self, channel: Channel, start: p.ResumeStart, challenge: p.ResumeChallenge, confirm: p.ResumeConfirm
    ) -> bool:
        """Let the session check the proof; True if ``channel`` became the session's link."""
        with self._lock:
            if self._closing:
                return False
            self._offered = channel
            try:
                self.feed(s.LinkResumed(start, challenge, confirm, self._agent._clock()))
            finally:
                adopted = self._offered is None
                self._offered = None
            return adopted

    def displaceable(self) -> bool:
        """Whether this connection has not started pairing (a newcomer may take its place)."""
        with self._lock:
            early = (s.AgentState.AWAITING_HELLO, s.AgentState.AWAITING_PAIR_START)
            return self._session.state in early or self._closing

    def join(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads if t is not threading.current_thread())

    # --- the session, serialised -------------------------------------------------------------------

    def feed(self, event: s.AgentEvent) -> None:
        """Hand an event to the session and carry out its commands (re-entrant calls are queued)."""
        with self._lock:
            if self._handling:
                self._backlog.append(event)
                return
            self._handling = True
            try:
                self._backlog.append(event)
                while self._backlog:
                    event = self._backlog.pop(0)
                    try:
                        commands = self._session.handle(event)
                    except Exception:
                        # A bug must not leave a half-handled session behind: end it, locally first.
                        log.exception("the session failed on %s", type(event).__name__)
                        commands = self._session.handle(s.ConnectionLost("internal error"))
                    for command in commands:
                        try:
                            self._execute(command)
                        except Exception:
                            # A failing callback or input backend must not take the session's rules down
                            # with it: the next commands (e.g. Close after a stop) still have to run.
                            log.exception("carrying out %s failed", type(command).__name__)
            finally:
                self._handling = False

    def _execute(self, command: s.Command) -> None:
        agent = self._agent
        match command:
            case s.Send(message=message):
                self._outbox.put((self._channel, message))  # sent on the link of this moment (if any)
            case s.InstallKeys(keys=keys):
                # The reader opens the next frame with the new keys; the writer seals in send order.
                if self._channel is not None:
                    self._channel.start_opening(keys)
                    self._outbox.put((self._channel, keys))
            case s.Close(reason=reason):
                self._begin_close(reason)
            case s.DropLink(reason=reason):
                log.info("the technician's link is gone (%s); waiting for a resume", reason)
                dropped, self._channel = self._channel, None
                if dropped is not None:
                    dropped.close()
            case s.AdoptLink(keys=keys):
                adopted, self._offered = self._offered, None
                if adopted is not None:
                    previous, self._channel = self._channel, adopted
                    adopted.start_opening(keys)
                    self._outbox.put((adopted, keys))
                    if previous is not None:
                        previous.close()
                    self._link_changed.set()
            case s.RefuseLink(reason=reason):
                log.info("a resume attempt was refused: %s", reason)
            case s.StartCapture():
                self._start_capture()
            case s.StopCapture():
                with self._capture_changed:
                    self._capture.active = False
                    self._capture.request = None
                    self._capture.generation += 1
                    self._notify_capture()
            case s.CaptureFrame(incremental=incremental, max_bytes=max_bytes):
                with self._capture_changed:
                    self._capture.request = _CaptureRequest(incremental, max_bytes)
                    self._notify_capture()
            case s.SwitchMonitor(index=index):
                self._switch_monitor(index)
            case s.ApplyPointer(pointer=ptr):
                if agent._sink is not None:
                    x, y = self._picture_to_monitor(ptr.x, ptr.y)
                    agent._sink.pointer(x, y, ptr.buttons, ptr.wheel, ptr.wheel_horizontal)
                    self._input_applied()
            case s.ApplyKey(key=key):
                if agent._sink is not None:
                    agent._sink.key(key.down, key.keysym, key.text)
                    self._input_applied()
            case s.SetClipboard(text=text):
                if agent.callbacks.on_clipboard is not None:
                    agent.callbacks.on_clipboard(text)
            case s.ShowChat(text=text):
                if agent.callbacks.on_chat is not None:
                    agent.callbacks.on_chat(text)
            case s.ShowChangeReport(script_id=script_id):
                if agent.callbacks.on_change_report is not None:
                    agent.callbacks.on_change_report(script_id)
            case s.AskConsent(request=request, deadline=deadline):
                self._ask_consent(request, deadline)
            case s.DismissPrompt():
                agent._consent.dismiss()
            case s.RunDiagnostic(request=request):
                if agent.callbacks.on_diagnostic is not None:
                    agent.callbacks.on_diagnostic(request)
            case s.StateChanged(state=state, granted=granted, paused=paused):
                if agent.callbacks.on_state is not None:
                    agent.callbacks.on_state(state.value, frozenset(c.value for c in granted), paused)
            case s.Journal(kind=kind, details=details):
                log.info("session event: %s", kind)  # details stay out of the log (chat text, reasons)
                agent._journal(kind, details)
            case s.Deliver():
                pass  # technician-side command; never emitted by the agent session

    def _ask_consent(self, request: p.ConsentRequest, deadline: float) -> None:
        agent = self._agent
        verification = verify_claim(request.identity, agent._org_keys, self._session.session_id, agent._wall_clock())
        prompt = ConsentPrompt(
            verification,
            frozenset(request.capabilities),
            request.reason,
            request.case_ref,
            deadline,
            claim=request.identity,
            session_id=self._session.session_id,
        )
        # The case records who asked, verified or not (the prompt shows the same).
        agent._journal(
            "technician_identity",
            {
                "verified": int(verification.verified),
                "name": verification.name,
                "team": verification.team,
                "org": verification.org,
                "fingerprint": verification.fingerprint,
                "reason": verification.reason,
            },
        )
        answered = threading.Event()

        def answer(granted: frozenset[p.Capability]) -> None:
            if answered.is_set():
                return  # a prompt answers once
            answered.set()
            self.feed(s.ConsentDecided(frozenset(granted)))

        agent._consent.ask(prompt, answer)

    def _begin_close(self, reason: str) -> None:
        if self._closing:
            return
        self._closing = True
        self._close_reason = reason
        with self._capture_changed:
            self._capture.active = False
            self._capture.request = None
            self._capture.generation += 1
            self._notify_capture()
        if self._agent._sink is not None:
            with contextlib.suppress(PodporaError, OSError):
                self._agent._sink.release_all()  # belt and braces: the session already released what it knew
        self._outbox.put(_CLOSE)
        # Whatever the network does, the socket is closed shortly: a blocked writer is woken by the close.
        timer = threading.Timer(CLOSE_GRACE_SECONDS, self._close_link)
        timer.daemon = True
        timer.start()

    # --- threads --------------------------------------------------------------------------------------

    def _close_link(self) -> None:
        channel = self._channel
        if channel is not None:
            channel.close()

    def _feed_from(self, channel: Channel, event: s.AgentEvent) -> None:
        """Feed an event that came from ``channel`` unless that link was dropped or replaced meanwhile."""
        with self._lock:
            if self._channel is channel:
                self.feed(event)

    def _read_loop(self) -> None:
        clock = self._agent._clock
        last_tick = clock()
        try:
            while not self._closing:
                channel = self._channel
                if channel is None:
                    # No link (the technician is disconnected): only the clock moves the session on.
                    self._link_changed.wait(TICK_SECONDS)
                    self._link_changed.clear()
                    last_tick = clock()
                    self.feed(s.Ticked(last_tick))
                    continue
                lost: s.AgentEvent | None = None
                message: p.Message | None = None
                try:
                    message = channel.receive(TICK_SECONDS)
                except (ChannelClosed, ChannelBroken) as error:
                    lost = s.ConnectionLost(error.reason)
                except (ChannelError, p.ProtocolError) as error:
                    lost = s.PeerMisbehaved(error.reason)
                if lost is not None:
                    self._feed_from(channel, lost)
                    with self._lock:
                        if self._channel is channel and not self._closing:
                            self._channel = None  # nothing more comes from it, whatever the session decided
                            channel.close()
                    continue
                now = clock()
                if isinstance(message, p.FrameRequest):
                    self._request_arrivals.append((time.monotonic(), not message.incremental))
                if message is not None:
                    self._feed_from(channel, s.MessageReceived(message, now))
                if message is None or now - last_tick >= TICK_SECONDS:
                    last_tick = now
                    self.feed(s.Ticked(now))
        finally:
            # The writer closes the channel once the goodbye is out (or the grace timer does).
            self._finish()

    def _write_loop(self) -> None:
        while True:
            entry = self._outbox.get()
            if entry is _CLOSE:
                self._close_link()
                return
            channel, item = cast(tuple[Channel | None, object], entry)
            if channel is None or channel is not self._channel:
                continue  # for a link that was dropped or replaced: the session resends what matters
            try:
                if isinstance(item, SessionKeys):
                    channel.start_sealing(item)
                else:
                    channel.send(cast(p.Message, item))
            except (ChannelError, p.ProtocolError) as error:
                channel.close()
                self._feed_from(channel, s.ConnectionLost(f"send failed: {error}"))

    def _capture_loop(self) -> None:
        try:
            self._stream_frames()
        finally:
            # The watch is this thread's own: it is closed here, after its last wait, never from another thread.
            with self._capture_changed:
                watch, self._watch = self._watch, None
                self._watch_closed = True
            if watch is not None:
                watch.close()

    def _stream_frames(self) -> None:
        agent = self._agent
        while True:
            with self._capture_changed:
                while not self._closing and not (self._capture.active and self._capture.request is not None):
                    self._capture_changed.wait()
                if self._closing:
                    return
                request = self._capture.request
                generation = self._capture.generation
                monitor = self._current_monitor()
                reset, self._capture.reset_encoder = self._capture.reset_encoder, False
            if request is None or monitor is None:
                continue
            self._ensure_change_watch()
            link = self._channel
            if link is not None and link is not self._streamed_link:
                # A resumed link: an update may have been lost with the old one, so what the viewer has is not
                # known, and the running streams (deflate, H.264) must start anew. A full frame settles both.
                reset = reset or self._streamed_link is not None
                self._streamed_link = link
            try:
                restart = reset or not request.incremental
                if self._watch is not None:
                    # Only what X DAMAGE says was drawn is grabbed (into the last frame) and compared.
                    frame, dirty = self._watch.grab_changes(monitor, None if restart else self._frame)
                    self._frame = frame
                else:
                    frame, dirty = agent._screen.grab(monitor), None
                if self._encoder is None:
                    self._encoder = agent._encoder_factory()
                if restart:
                    self._encoder.reset()  # a new monitor or stream, or the viewer asks for everything
                self._report_arrivals()
                if dirty is None:
                    encoded = self._encoder.encode(frame, max_bytes=request.max_bytes)
                else:
                    encoded = self._encoder.encode(frame, max_bytes=request.max_bytes, dirty=dirty)
            except PodporaError as error:
                self._capture_failed(error)
                continue
            now = agent._clock()
            with self._capture_changed:
                if generation != self._capture.generation or self._capture.request is not request:
                    # Stopped, switched or superseded while grabbing: this update never reaches the viewer,
                    # so the encoder (which now believes it did) must start over.
                    self._capture.reset_encoder = True
                    continue
                # An empty update tells the viewer nothing, unless its picture just became exact: the request
                # is held (no bytes, and no round trips at network speed) until the screen changes.
                news = bool(encoded.rects) or not request.incremental or encoded.pending != self._sent_pending
                if news:
                    self._capture.request = None
                    self._changed_at = now
            if not news:
                self._report_cursor(monitor)
                self._wait_for_change(bool(encoded.pending), now)
                continue
            self._seq += 1
            self._sent_pending = bool(encoded.pending)
            rects = [p.Rect(r.x, r.y, r.width, r.height, r.codec, r.data) for r in encoded.rects]
            update = p.FrameUpdate(self._seq, encoded.width, encoded.height, rects, bool(encoded.pending))
            if not rects:
                # The encoder counts only updates with rectangles as sent, but this one uses up a request too:
                # the estimator must expect its answer, or it would pair the next answers with later updates.
                self._report_sent(_EMPTY_UPDATE_BYTES)
            self.feed(s.FrameEncoded(update))
            self._report_cursor(monitor)

    def _link(self) -> _LinkReports | None:
        """The encoder's link estimator, if it has one that takes the driver's reports."""
        link = getattr(self._encoder, "link", None)
        if hasattr(link, "request_arrived") and hasattr(link, "sent"):
            return cast(_LinkReports, link)
        return None

    def _report_arrivals(self) -> None:
        """Hand the requests' arrival times to the encoder's link estimator (on the capture thread)."""
        link = self._link()
        while self._request_arrivals:
            when, full = self._request_arrivals.popleft()
            if link is not None:
                link.request_arrived(when, full=full)

    def _report_sent(self, byte_count: int) -> None:
        """Tell the link estimator about an update the encoder did not count (on the capture thread)."""
        link = self._link()
        if link is not None:
            link.sent(byte_count, time.monotonic())

    def _ensure_change_watch(self) -> None:
        """Open the change watch on the capture thread, once capture first runs (never for a mere connection)."""
        if self._watch_tried:
            return
        self._watch_tried = True
        opener = getattr(self._agent._screen, "open_change_watch", None)
        if opener is None:
            return
        try:
            watch = cast(ChangeWatch | None, opener())
        except (PodporaError, OSError) as error:
            log.info("no change events (%s): the screen is polled", error)
            return
        if watch is None:
            return
        with self._capture_changed:
            self._watch = watch

    def _wait_for_change(self, pending: bool, now: float) -> None:
        """Sleep until the screen may have changed, a refresh is due, or another thread wakes the capture."""
        watch = self._watch  # only this thread sets or clears it
        if watch is not None:
            # Drawing ends the wait at once; a stop, switch or new request wakes it through the watch.
            watch.wait(PENDING_CAPTURE_SECONDS if pending else CHANGE_WAIT_SECONDS)
            return
        # Polling: fast right after a change or input, ever slower while the screen rests.
        quiet = now - max(self._changed_at, self._input_at)
        if quiet < POLL_FAST_WINDOW_SECONDS:
            self._poll_interval = POLL_FAST_SECONDS
        else:
            self._poll_interval = min(POLL_SLOW_SECONDS, self._poll_interval * 1.5)
        interval = min(self._poll_interval, PENDING_CAPTURE_SECONDS) if pending else self._poll_interval
        with self._capture_changed:
            if not self._closing and not self._capture_woken:
                self._capture_changed.wait(interval)
            self._capture_woken = False

    def _notify_capture(self) -> None:
        """Wake the capture thread wherever it waits (call with ``_capture_changed`` held)."""
        self._capture_woken = True
        self._capture_changed.notify_all()
        if self._watch is not None:
            self._watch.wake()

    def _input_applied(self) -> None:
        """Remote input may change the screen soon: polling speeds up (change events need no help)."""
        with self._capture_changed:
            self._input_at = self._agent._clock()
            if self._watch is None and not self._watch_closed:
                self._notify_capture()

    # --- capture helpers ------------------------------------------------------------------------------

    def _picture_to_monitor(self, x: int, y: int) -> tuple[int, int]:
        """A point of the picture the technician sees, in the streamed monitor's pixels.

        A huge monitor is streamed downscaled by a whole factor (its ``scale``): a picture pixel stands for a
        block of monitor pixels, and the point goes to the block's centre. The input sink adds the monitor's
        offset and clamps to its edges.
        """
        with self._capture_changed:
            monitor = self._current_monitor()
        factor = _picture_scale(monitor)
        if factor == 1:
            return x, y
        return x * factor + factor // 2, y * factor + factor // 2

    def _current_monitor(self) -> MonitorLike | None:
        for monitor in self._capture.monitors:
            if monitor.index == self._capture.selected:
                return monitor
        return None

    def _start_capture(self) -> None:
        try:
            monitors = list(self._agent._screen.monitors())
        except PodporaError as error:
            self._capture_failed(error)
            return
        with self._capture_changed:
            self._capture.monitors = monitors
            if self._current_monitor() is None:
                self._capture.selected = 1 if len(monitors) > 1 else (monitors[0].index if monitors else 0)
            self._capture.active = True
            self._capture.generation += 1
            self._capture.reset_encoder = True  # done by the capture thread, which owns the encoder
            self._notify_capture()
        self._cursor_at, self._cursor_serial = None, None
        self._announce_screen()

    def _switch_monitor(self, index: int) -> None:
        with self._capture_changed:
            if not any(m.index == index for m in self._capture.monitors):
                return
            self._capture.selected = index
            self._capture.generation += 1
            self._capture.reset_encoder = True  # done by the capture thread, which owns the encoder
            self._notify_capture()
        self._announce_screen()

    def _announce_screen(self) -> None:
        with self._capture_changed:
            selected = self._capture.selected
            listed = [
                p.Monitor(m.index, m.left, m.top, m.width, m.height)
                for m in self._capture.monitors
                if 0 <= m.index < p.MAX_MONITORS
                and 0 < m.width <= p.MAX_SCREEN_SIDE
                and 0 < m.height <= p.MAX_SCREEN_SIDE
                and abs(m.left) <= p.MAX_SCREEN_SIDE
                and abs(m.top) <= p.MAX_SCREEN_SIDE
            ]
            monitor = self._current_monitor()
        if monitor is not None and self._agent._on_mapping is not None:
            self._agent._on_mapping(monitor.left, monitor.top, monitor.width, monitor.height)
        if listed and any(m.index == selected for m in listed):
            self.feed(s.LocalMessageReady(p.ScreenInfo(listed, selected)))

    def _report_cursor(self, monitor: MonitorLike) -> None:
        """Send the cursor when it moved or changed shape (the session drops it unless view is on)."""
        read = getattr(self._agent._screen, "cursor", None)
        if read is None:
            return
        try:
            cursor = read()
        except PodporaError:
            return
        if cursor is None:
            return
        factor = _picture_scale(monitor)  # the position on the (possibly downscaled) picture
        x = min(max((int(cursor.x) - monitor.left) // factor, -p.MAX_SCREEN_SIDE), p.MAX_SCREEN_SIDE)
        y = min(max((int(cursor.y) - monitor.top) // factor, -p.MAX_SCREEN_SIDE), p.MAX_SCREEN_SIDE)
        shape, serial = None, None
        raw = getattr(cursor, "shape", None)
        if raw is not None:
            serial = raw.serial
            fits = 0 < raw.width <= p.MAX_CURSOR_SIDE and 0 < raw.height <= p.MAX_CURSOR_SIDE
            if fits and serial != self._cursor_serial and len(raw.pixels) == raw.width * raw.height * 4:
                hot_x = min(max(raw.hot_x, 0), p.MAX_CURSOR_SIDE - 1)
                hot_y = min(max(raw.hot_y, 0), p.MAX_CURSOR_SIDE - 1)
                shape = p.CursorShape(raw.width, raw.height, hot_x, hot_y, bytes(raw.pixels))
        if (x, y) == self._cursor_at and shape is None:
            return
        self._cursor_at = (x, y)
        if serial is not None:
            self._cursor_serial = serial
        self.feed(s.LocalMessageReady(p.CursorUpdate(x, y, True, shape)))

    def _capture_failed(self, error: PodporaError) -> None:
        reason = str(getattr(error, "reason", "")) or "capture"
        log.info("screen capture unavailable: %s", error)
        with self._capture_changed:
            self._capture.active = False
            self._capture.request = None
        self.feed(s.LocalMessageReady(p.Notice(reason[: p.MAX_CODE_CHARS], error.user_message[: p.MAX_REASON_CHARS])))

    def _finish(self) -> None:
        if self._ended.is_set():
            return
        self._ended.set()
        self._closing = True
        with self._capture_changed:
            self._notify_capture()
        self._outbox.put(_CLOSE)
        self._agent._connection_ended(self, self._close_reason or "connection closed")


# --- Unattended mode --------------------------------------------------------------------------------------


class _UnavailableScreen:
    """A screen source that only says why there is no screen (the session sends it as a Notice)."""

    def __init__(self, error: PodporaError) -> None:
        self._error = error

    def monitors(self) -> Sequence[MonitorLike]:
        raise self._error

    def grab(self, monitor: Any) -> NDArray[np.uint8]:
        raise self._error


def run_headless(
    *,
    policy: Any,
    listen: int | None = None,
    gateway: str | None = None,
    org_config: Any = None,
    enable_input: bool = True,
    stop: threading.Event | None = None,
    on_code: Callable[[str, int], None] | None = None,
    publish: Callable[[int], int] | None = None,
    unpublish: Callable[[], None] | None = None,
) -> int:
    """``podpora assist --headless --policy FILE``: serve technicians under an unattended policy.

    The organisation's keys come from the roll-out configuration (``org_config`` path, or the system
    file).  Consent comes only from the policy: technicians it does not name are refused.  The current
    session code is printed (and given to ``on_code``) whenever it changes, and written to
    ``<data_dir>/assist-code`` (mode 0600) for an administrator who reaches the machine over SSH.
    Runs until ``stop`` is set or the process is interrupted; returns the exit code.

    Gateway mode needs the composition root to pass ``publish`` (start a reverse forward of the local
    port, return the gateway port) and ``unpublish``: this module must not pull the SSH layer (paramiko)
    into every importer of the agent.
    """
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.config import default_paths
    from app.orgconfig import load_org_config
    from app.remote.policy import load_policy

    org = load_org_config(Path(org_config) if org_config is not None else None)
    keys = [Ed25519PublicKey.from_public_bytes(key.ed25519_raw) for key in org.organisation_keys]
    if not keys:
        print("podpora assist: no organisation keys are configured; an unattended policy cannot be trusted.")
        return 78
    unattended = load_policy(Path(policy).read_bytes(), keys, time.time())
    screen, sink, on_mapping = _machine(enable_input)
    from app.remote.encode import FrameEncoder

    agent = AssistAgent(
        screen=screen,
        consent=PolicyConsentProvider(unattended),
        input_sink=sink,
        encoder_factory=FrameEncoder,
        on_mapping=on_mapping,
        org_keys=keys,
        callbacks=AgentCallbacks(on_journal=lambda kind, details: log.info("unattended session: %s", kind)),
    )
    if gateway is not None and publish is None:
        print("podpora assist: gateway mode needs the gateway wiring of the command line; use --listen.")
        return 2
    port = agent.listen(listen if listen is not None else DEFAULT_PORT)
    if publish is not None:
        port = publish(port)
    stop = stop or threading.Event()
    code_file = default_paths().data_dir / "assist-code"
    shown = ""
    try:
        while not stop.is_set():
            code = agent.code()
            if code != shown:
                shown = code
                _write_private(code_file, code + "\n")
                print(f"podpora assist: session code {code} (port {port})", flush=True)
                if on_code is not None:
                    on_code(code, port)
            stop.wait(1.0)  # the code changes after use, expiry or wrong tries: look again every second
    except KeyboardInterrupt:
        pass
    finally:
        if unpublish is not None:
            unpublish()
        agent.stop()
        agent.wait_stopped(5)
        code_file.unlink(missing_ok=True)
    return 0


def _machine(enable_input: bool) -> tuple[ScreenSource, InputSink | None, MappingListener | None]:
    """The real screen and input of this desktop, or a screen that says why there is none."""
    from app.remote.capture import MssScreenSource, check_screen_available

    try:
        display = check_screen_available()
        screen: ScreenSource = MssScreenSource(display)
    except PodporaError as error:
        return _UnavailableScreen(error), None, None
    if not enable_input:
        return screen, None, None
    from app.remote.inject import PynputInputSink, ScreenMapping

    try:
        sink = PynputInputSink()
    except PodporaError as error:
        log.info("remote input is unavailable: %s", error)
        return screen, None, None

    def on_mapping(left: int, top: int, width: int, height: int) -> None:
        sink.set_mapping(ScreenMapping(left, top, width, height))

    return screen, sink, on_mapping


def _write_private(path: Any, text: str) -> None:
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
