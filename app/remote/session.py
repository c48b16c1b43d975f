"""The session as a sans-IO state machine, for both roles: events in, commands out (pure: no I/O, no clock).

The drivers (:mod:`app.remote.agent`, :mod:`app.remote.client`) feed events — a message arrived, the user
decided, the clock ticked — into :meth:`AgentSession.handle` / :meth:`TechnicianSession.handle` and carry
out the commands that come back, in order.  All rules about what is legal when, and all consent
enforcement, live here and nowhere else.

Agent states::

    AWAITING_HELLO ─Hello→ AWAITING_PAIR_START ─PairStart→ AWAITING_PAIR_CONFIRM ─PairConfirm ok→ PAIRED
    PAIRED ─ConsentRequest→ PROMPTING ─decision (something granted)→ ACTIVE ─ConsentRequest→ PROMPTING …
    PROMPTING ─refused / 60 s without answer (first request)→ CLOSED
    any ─Bye / stop / violation / connection lost / wrong code / pairing deadline→ CLOSED

Consent rules enforced on the agent side:

* before pairing only pairing messages are legal; anything else closes the session;
* no ``StartCapture``/``CaptureFrame`` command and no ``FrameUpdate``/``ScreenInfo``/``CursorUpdate`` is sent
  unless ``view`` is granted and the view is not paused;
* remote input is applied only while ``control`` is granted, no prompt is open and the view is not paused;
  otherwise it is dropped (and the first drop per reason is journaled);
* revoking ``control`` (or stopping, or losing the connection) releases every key and button the
  technician holds;
* a consent prompt not answered within :data:`CONSENT_TIMEOUT_SECONDS` is a refusal;
* every decision is both sent to the console and emitted as a :class:`Journal` command;
* after pairing, a quiet side sends a Heartbeat every :data:`HEARTBEAT_SECONDS`, and a side that hears
  nothing for :data:`LINK_TIMEOUT_SECONDS` ends the session (releasing held input first).

Resume (both sides announce the ``resume`` feature in their Hello): the heartbeat is faster, the console
notices a silent link within :data:`RESUME_SUSPECT_SECONDS`, drops it and reconnects by itself; the agent
drops a link silent for :data:`RESUME_SILENCE_SECONDS`, or one that broke, and keeps the session SUSPENDED
(capture off, input released, nothing sent) for its grace period.  A new connection takes the session up
again with a challenge–response over fresh nonces from both sides, MACed with the pairing's resume secret
(:mod:`app.remote.pairing`), and both sides switch to fresh traffic keys.  Each side numbers the reliable
messages it sends (everything but the picture, the cursor, input and heartbeats) and keeps them until the
peer has them: the handshake says how many each side received, and the rest is sent again, so the case
journal has no gap and no duplicate.  Remote input is never sent again: stale input is not applied.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

import msgspec

from app.remote import protocol as p
from app.remote.pairing import (
    AgentPairing,
    PairingError,
    ResumeTranscript,
    SessionKeys,
    TechnicianPairing,
    check_resume_proof,
    resume_keys,
    resume_proof,
)

CONSENT_TIMEOUT_SECONDS: Final = 60.0
#: Pairing must complete within this time after the connection opened (like OpenSSH's LoginGraceTime).
PAIRING_DEADLINE_SECONDS: Final = 10.0
#: The technician waits this long for the user's answer (the prompt's own timeout plus slack for the link).
TECHNICIAN_CONSENT_WAIT_SECONDS: Final = CONSENT_TIMEOUT_SECONDS + 15.0

#: After pairing, each side sends a Heartbeat when it has sent nothing for this long ...
HEARTBEAT_SECONDS: Final = 5.0
#: ... and ends the session (releasing held input) when it has received nothing for this long.  It matches the
#: channel's per-frame deadline: a frame slower than that is cut anyway.
LINK_TIMEOUT_SECONDS: Final = 30.0

FEATURES: Final = ("codec:0",)
#: A side that can take a session up again after a broken link says so in its Hello.
RESUME_FEATURE: Final = "resume:1"
#: With resume: a side sends a Heartbeat when it has sent nothing for this long ...
RESUME_HEARTBEAT_SECONDS: Final = 0.5
#: ... the console treats a link it has heard nothing from for this long as lost and reconnects ...
RESUME_SUSPECT_SECONDS: Final = 1.5
#: ... and the agent drops a link it has heard nothing from for this long and waits for the technician.
RESUME_SILENCE_SECONDS: Final = 5.0
#: How long the agent keeps a session whose technician is disconnected (the default; the agent's is set).
RESUME_GRACE_SECONDS: Final = 60.0
#: A technician away for longer than this gets view back on resume, but not control: that needs a new yes.
RESUME_CONTROL_SECONDS: Final = 15.0
#: How long the console keeps trying to reconnect before it gives up.
RECONNECT_GIVE_UP_SECONDS: Final = 60.0
#: Reliable messages kept for sending again after a resume: at most this many, and this many encoded bytes.
REPLAY_MAX_MESSAGES: Final = 1024
REPLAY_MAX_BYTES: Final = 16 * 1024 * 1024
#: Resume challenges the agent has issued and that may still be answered (the oldest is forgotten first).
MAX_OPEN_CHALLENGES: Final = 8


class AgentState(enum.Enum):
    """Where the agent's side of one connection stands."""

    AWAITING_HELLO = "awaiting hello"
    AWAITING_PAIR_START = "awaiting pairing"
    AWAITING_PAIR_CONFIRM = "awaiting pairing confirmation"
    PAIRED = "paired"
    PROMPTING = "asking the user"
    ACTIVE = "active"
    #: The technician's link is gone; the session and its consent wait for a resume until the grace ends.
    SUSPENDED = "technician disconnected"
    CLOSED = "closed"


class TechnicianState(enum.Enum):
    """Where the technician's side of one connection stands."""

    STARTING = "starting"
    AWAITING_PAIR_REPLY = "pairing"
    AWAITING_AGENT_HELLO = "awaiting the agent"
    AWAITING_CONSENT = "waiting for the user's consent"
    ACTIVE = "active"
    #: The link is lost; the driver reconnects and the session resumes without a new code.
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


# --- Events (past tense) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageReceived:
    """A valid message arrived from the peer at ``now``."""

    message: p.Message
    now: float


@dataclass(frozen=True)
class PeerMisbehaved:
    """The peer sent bytes that are not a valid message (decode, framing or record error)."""

    reason: str


@dataclass(frozen=True)
class ConnectionLost:
    """The byte stream ended or failed."""

    reason: str


@dataclass(frozen=True)
class Ticked:
    """Time passed; ``now`` is a monotonic clock reading.

    ``heard``: bytes of a frame not yet complete arrived since the last tick (a long frame on a slow
    link is a live link, not a silent one).
    """

    now: float
    heard: bool = False


@dataclass(frozen=True)
class ConsentDecided:
    """The user answered the open consent prompt (an empty set is a refusal)."""

    granted: frozenset[p.Capability]


@dataclass(frozen=True)
class UserPaused:
    """The user paused the view (and with it remote input)."""


@dataclass(frozen=True)
class UserResumed:
    """The user resumed the view."""


@dataclass(frozen=True)
class UserRevoked:
    """The user took back some capabilities."""

    capabilities: frozenset[p.Capability]


@dataclass(frozen=True)
class UserStopped:
    """The user (or the technician, on the console) ended the session."""


@dataclass(frozen=True)
class LocalPromptChanged:
    """Agent: a local prompt other than consent (e.g. a repair approval) opened or closed."""

    is_open: bool


@dataclass(frozen=True)
class UserChatted:
    """The local person wrote a chat line."""

    text: str


@dataclass(frozen=True)
class FrameEncoded:
    """Agent: the driver captured and encoded the update a ``CaptureFrame`` asked for."""

    update: p.FrameUpdate


@dataclass(frozen=True)
class LocalMessageReady:
    """Agent: the driver wants to send an agent-originated message (screen info, cursor, clipboard, …)."""

    message: p.Message


@dataclass(frozen=True)
class LinkResumed:
    """Agent: a new connection completed a resume handshake (the driver read these three messages on it).

    The session checks the technician's proof and decides; see :meth:`AgentSession.resume_challenge`.
    """

    start: p.ResumeStart
    challenge: p.ResumeChallenge
    confirm: p.ResumeConfirm
    now: float


@dataclass(frozen=True)
class LinkOpened:
    """Technician: the driver opened a new connection while reconnecting; ``nonce`` is fresh and random."""

    nonce: bytes
    now: float


@dataclass(frozen=True)
class Started:
    """Technician: the stream is open; start pairing with ``code`` and then ask for ``consent``.

    ``identity`` turns the pairing's session id into the technician's identity claim (see
    :mod:`app.remote.identity`); it replaces ``consent.identity`` once pairing has produced the id.
    """

    code: str
    consent: p.ConsentRequest
    now: float
    identity: Callable[[str], bytes] | None = None
    #: The driver can open a new connection when this one breaks (announces :data:`RESUME_FEATURE`).
    resumable: bool = False


@dataclass(frozen=True)
class FrameDrawn:
    """Technician: the last update is on screen; ask for the next one."""


@dataclass(frozen=True)
class LocalInputReady:
    """Technician: the technician produced input or a request (pointer, key, clipboard, script, …)."""

    message: p.Message


AgentEvent = (
    MessageReceived
    | PeerMisbehaved
    | ConnectionLost
    | Ticked
    | ConsentDecided
    | UserPaused
    | UserResumed
    | UserRevoked
    | UserStopped
    | UserChatted
    | LocalPromptChanged
    | FrameEncoded
    | LocalMessageReady
    | LinkResumed
)
TechnicianEvent = (
    Started
    | MessageReceived
    | PeerMisbehaved
    | ConnectionLost
    | Ticked
    | UserStopped
    | UserChatted
    | FrameDrawn
    | LocalInputReady
    | LinkOpened
)

# --- Commands (imperative) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """Send this message to the peer."""

    message: p.Message


@dataclass(frozen=True)
class InstallKeys:
    """Seal and open every later frame with these keys."""

    keys: SessionKeys


@dataclass(frozen=True)
class Resend(Send):
    """Send this reliable message again after a resume (the peer never got it)."""


@dataclass(frozen=True)
class DropLink:
    """Close the current connection but keep the session (agent: wait for a resume; console: reconnect)."""

    reason: str


@dataclass(frozen=True)
class AdoptLink:
    """Agent: the connection that just resumed becomes the session's link, with these fresh keys."""

    keys: SessionKeys


@dataclass(frozen=True)
class RefuseLink:
    """Agent: close the connection that tried to resume (the session goes on undisturbed)."""

    reason: str


@dataclass(frozen=True)
class Close:
    """Close the connection (after carrying out the commands before this one)."""

    reason: str


@dataclass(frozen=True)
class StartCapture:
    """Agent: start (or resume) screen capture."""


@dataclass(frozen=True)
class StopCapture:
    """Agent: stop screen capture now."""


@dataclass(frozen=True)
class CaptureFrame:
    """Agent: capture and encode one update, then feed :class:`FrameEncoded`."""

    incremental: bool
    max_bytes: int


@dataclass(frozen=True)
class SwitchMonitor:
    """Agent: stream another monitor (then send a fresh ScreenInfo)."""

    index: int


@dataclass(frozen=True)
class ApplyPointer:
    """Agent: move the pointer / press or release buttons / scroll."""

    pointer: p.Pointer


@dataclass(frozen=True)
class ApplyKey:
    """Agent: press or release a key."""

    key: p.Key


@dataclass(frozen=True)
class SetClipboard:
    """Agent: put this text on the user's clipboard."""

    text: str


@dataclass(frozen=True)
class ShowChat:
    """Show a chat line from the peer."""

    text: str


@dataclass(frozen=True)
class ShowChangeReport:
    """Agent: the technician reports a change they ran and approved over SSH; list it in the user's summary."""

    script_id: str


@dataclass(frozen=True)
class AskConsent:
    """Agent: open the consent prompt for ``request``; it counts as refused at ``deadline``."""

    request: p.ConsentRequest
    deadline: float


@dataclass(frozen=True)
class DismissPrompt:
    """Agent: close the consent prompt (answered elsewhere, timed out, or the session ended)."""


@dataclass(frozen=True)
class RunDiagnostic:
    """Agent: hand this diagnostic request to the diagnostics runner."""

    request: p.RunScript


@dataclass(frozen=True)
class Deliver:
    """Technician: hand this message from the agent to the UI (frames, cursor, screens, scripts, notices…)."""

    message: p.Message


@dataclass(frozen=True)
class StateChanged:
    """The session state, the granted capabilities or the pause flag changed."""

    state: AgentState | TechnicianState
    granted: frozenset[p.Capability]
    paused: bool


@dataclass(frozen=True)
class Journal:
    """Record this decision or event in the case journal (never carries secrets or typed keys)."""

    kind: str
    details: Mapping[str, str | int] = field(default_factory=dict)


Command = (
    Send
    | InstallKeys
    | Close
    | StartCapture
    | StopCapture
    | CaptureFrame
    | SwitchMonitor
    | ApplyPointer
    | ApplyKey
    | SetClipboard
    | ShowChat
    | ShowChangeReport
    | AskConsent
    | DismissPrompt
    | RunDiagnostic
    | Deliver
    | StateChanged
    | Journal
    | DropLink
    | AdoptLink
    | RefuseLink
)

#: Messages only the agent may send; a technician sending one breaks the protocol.
_AGENT_ONLY: Final = (
    p.PairReply,
    p.ConsentDecision,
    p.Pause,
    p.Resume,
    p.ScreenInfo,
    p.FrameUpdate,
    p.CursorUpdate,
    p.ScriptProgress,
    p.ScriptResult,
    p.ApprovalRequest,
    p.ApprovalDecision,
    p.Feedback,
    p.Notice,
)
#: Which capability an agent-originated message needs before it may leave the machine (None: paired is enough).
_OUTBOUND_NEEDS: Final[Mapping[type, p.Capability | None]] = {
    p.ScreenInfo: p.Capability.VIEW,
    p.CursorUpdate: p.Capability.VIEW,
    p.Clipboard: p.Capability.CLIPBOARD,
    p.ScriptProgress: p.Capability.DIAGNOSTICS,
    p.ScriptResult: p.Capability.DIAGNOSTICS,
    p.ApprovalRequest: p.Capability.DIAGNOSTICS,
    p.ApprovalDecision: p.Capability.DIAGNOSTICS,
    p.Notice: None,
    p.Feedback: None,
    p.Chat: None,
}
#: Messages that are sent again after a resume if the peer did not get them (see the module docstring).
RELIABLE: Final = (
    p.ConsentRequest,
    p.ConsentDecision,
    p.Revoke,
    p.Pause,
    p.Resume,
    p.Clipboard,
    p.Chat,
    p.ChangeReport,
    p.RunScript,
    p.ScriptProgress,
    p.ScriptResult,
    p.ApprovalRequest,
    p.ApprovalDecision,
    p.Feedback,
    p.Notice,
)
#: Messages that may still go out while the link is down: they open the next link.
_HANDSHAKE: Final = (p.ResumeStart, p.ResumeChallenge, p.ResumeConfirm)
_BUTTON_MASK_ALL: Final = 0xFF
_AGENT_LINKED: Final = (AgentState.PAIRED, AgentState.PROMPTING, AgentState.ACTIVE)
_TECHNICIAN_LINKED: Final = (TechnicianState.AWAITING_CONSENT, TechnicianState.ACTIVE)


def _names(capabilities: Iterable[p.Capability]) -> str:
    return ",".join(sorted(c.value for c in capabilities)) or "-"


def _sorted(capabilities: Iterable[p.Capability]) -> list[p.Capability]:
    return sorted(capabilities, key=lambda c: list(p.Capability).index(c))


class ReplayBuffer:
    """The reliable messages one side sent, numbered from 0, kept until the peer is known to have them.

    Bounded (:data:`REPLAY_MAX_MESSAGES`, :data:`REPLAY_MAX_BYTES`): a peer that lost more than that cannot
    resume, and its session ends instead of continuing with a gap.
    """

    def __init__(self) -> None:
        self.sent = 0
        self._kept: deque[tuple[int, p.Message, int]] = deque()
        self._bytes = 0

    def add(self, message: p.Message) -> None:
        """Number and keep one reliable message that is being sent."""
        size = len(p.encode(message))
        self._kept.append((self.sent, message, size))
        self.sent += 1
        self._bytes += size
        while self._kept and (len(self._kept) > REPLAY_MAX_MESSAGES or self._bytes > REPLAY_MAX_BYTES):
            self._bytes -= self._kept.popleft()[2]

    def since(self, received: int) -> list[p.Message] | None:
        """What a peer that has ``received`` of our messages lacks; None if we no longer have all of it."""
        if received > self.sent:
            return None
        missing = [message for index, message, _ in self._kept if index >= received]
        if len(missing) != self.sent - received:
            return None
        return missing

    def acknowledge(self, received: int) -> None:
        """The peer has the first ``received`` messages: forget them."""
        while self._kept and self._kept[0][0] < received:
            self._bytes -= self._kept.popleft()[2]


def _route(commands: list[Command], out: ReplayBuffer, *, recording: bool, link_up: bool) -> list[Command]:
    """Number reliable sends for replay and, while the link is down, keep only what may go out.

    While the link is down nothing reaches the peer except the resume handshake; reliable messages are
    kept (and go out after the resume), everything else (pictures, input, heartbeats) is dropped.
    """
    routed: list[Command] = []
    for command in commands:
        if isinstance(command, Send) and not isinstance(command, Resend):
            if recording and isinstance(command.message, RELIABLE):
                out.add(command.message)
            if not link_up and not isinstance(command.message, _HANDSHAKE):
                continue
        elif not link_up and isinstance(command, StartCapture | CaptureFrame):
            continue
        routed.append(command)
    return routed


class CodeAttempts(Protocol):
    """Where pairing attempts are counted against the session code (:class:`CodeIssuer` fits; the broker of a
    separate protocol process offers the same, see ``app.remote.privsep``)."""

    def begin_attempt(self, now: float) -> str: ...

    def attempt_failed(self, now: float) -> None: ...

    def attempt_succeeded(self, now: float) -> None: ...


class PairingSide(Protocol):
    """The agent's half of one pairing attempt (:class:`AgentPairing` fits)."""

    def on_pair_start(self, start: p.PairStart) -> p.PairReply: ...

    def on_pair_confirm(self, confirm: p.PairConfirm) -> SessionKeys: ...


class AgentSession:
    """The agent's side of one connection (one technician, one pairing attempt at most).

    ``codes`` is shared across connections so that wrong attempts and single use are counted per code,
    not per connection.  An unattended policy answers :class:`AskConsent` in the driver, not here: the
    decision still arrives as :class:`ConsentDecided` and is journaled and sent like any other.
    ``pairing`` makes the agent's half of an attempt from the digits ``codes`` returned and the technician's
    Hello (:class:`AgentPairing`; a broker that holds the code does the exchange itself).
    """

    def __init__(
        self,
        codes: CodeAttempts,
        now: float,
        *,
        resume_grace: float = RESUME_GRACE_SECONDS,
        pairing: Callable[[str, bytes], PairingSide] = AgentPairing,
    ) -> None:
        self.state = AgentState.AWAITING_HELLO
        self.granted: frozenset[p.Capability] = frozenset()
        self.paused = False
        self._codes = codes
        self._make_pairing = pairing
        self._opened_at = now
        self._now = now
        self._last_received = now
        self._last_sent = now
        self._hello_bytes = b""
        self._pairing: PairingSide | None = None
        self._request: p.ConsentRequest | None = None
        self._prompt_deadline = 0.0
        self._consented_once = False
        self._pending_frame: p.FrameRequest | None = None
        self._capturing_frame = False
        self._held_keys: dict[tuple[int | None, str | None], p.Key] = {}
        self._held_buttons = 0
        self._pointer_at = (0, 0)
        self._journaled_drops: set[str] = set()
        self._local_prompt = False
        self.dropped_inputs = 0
        self.session_id = ""
        # Resume: whether the technician can, the grace, the ratcheting secret and the replay bookkeeping.
        self._resume_grace = max(0.0, resume_grace)
        self._technician_resumes = False
        self._resume_secret = b""
        self._epoch = 0
        self._previous_secret: tuple[int, bytes] | None = None  # until the resumed link is heard from
        self._resume_to = AgentState.PAIRED
        self._suspended_until = 0.0
        self._suspended_at = 0.0
        self._out = ReplayBuffer()
        self._received = 0
        self._challenges: deque[bytes] = deque(maxlen=MAX_OPEN_CHALLENGES)  # issued, not yet answered

    @property
    def resumable(self) -> bool:
        """Whether a lost link suspends this session (instead of ending it) and a resume can take it up."""
        return self._technician_resumes and self._resume_grace > 0 and bool(self._resume_secret)

    @property
    def suspended_until(self) -> float:
        """While SUSPENDED: when the session ends unless the technician is back (same clock as ``now``)."""
        return self._suspended_until

    def resume_challenge(self, start: p.ResumeStart, nonce: bytes) -> p.ResumeChallenge | str:
        """The answer to a resume attempt on a new connection: a challenge with our proof, or why not.

        Nothing else changes: the attempt counts only once :class:`LinkResumed` checks the technician's
        proof.  Several attempts may be open at once without blocking each other; each challenge (its
        ``nonce``, fresh and random from the driver) can be answered once, and only the last
        :data:`MAX_OPEN_CHALLENGES` can be answered at all.
        """
        secret = self._secret_for(start)
        if isinstance(secret, str):
            return secret
        self._challenges.append(nonce)
        transcript = ResumeTranscript(self.session_id, start.epoch, start.nonce, nonce, start.received, self._received)
        return p.ResumeChallenge(nonce, self._received, resume_proof(secret, "agent", transcript))

    def _secret_for(self, start: p.ResumeStart) -> bytes | str:
        resumable_states = (*_AGENT_LINKED, AgentState.SUSPENDED)
        if self.state not in resumable_states or not self.resumable:
            return "no session to resume"
        if start.session_id != bytes.fromhex(self.session_id):
            return "no session to resume"
        if start.epoch == self._epoch:
            return self._resume_secret
        if self._previous_secret is not None and start.epoch == self._previous_secret[0]:
            return self._previous_secret[1]
        return "no session to resume"

    @property
    def prompt_open(self) -> bool:
        """Whether a consent prompt, or another local prompt, is waiting for the user."""
        return self.state is AgentState.PROMPTING or self._local_prompt

    @property
    def held_keys(self) -> list[p.Key]:
        """Keys the technician pressed and has not released (released on revoke, stop or disconnect)."""
        return list(self._held_keys.values())

    def handle(self, event: AgentEvent) -> list[Command]:
        """Feed one event; return the commands to carry out, in order."""
        before = (self.state, self.granted, self.paused)
        if self.state is AgentState.CLOSED:
            return []
        commands = self._dispatch(event)
        commands = _route(commands, self._out, recording=self.resumable, link_up=self.state is not AgentState.SUSPENDED)
        if any(isinstance(c, Send) for c in commands):
            self._last_sent = self._now
        if (self.state, self.granted, self.paused) != before:
            self._journaled_drops.clear()
            commands.append(StateChanged(self.state, self.granted, self.paused))
        return commands

    # --- dispatch ---------------------------------------------------------------------------------

    def _dispatch(self, event: AgentEvent) -> list[Command]:
        if isinstance(event, MessageReceived | Ticked):
            self._now = max(self._now, event.now)
        match event:
            case MessageReceived(message=message, now=now):
                return self._on_message(message, now)
            case PeerMisbehaved(reason=reason):
                return self._violation(reason)
            case ConnectionLost(reason=reason):
                if self.state is AgentState.SUSPENDED:
                    return []  # the link was already dropped; the session waits for the technician
                if self.state in _AGENT_LINKED and self.resumable:
                    return self._suspend(reason)
                return self._end(reason, journal_kind="connection_lost", send_bye=False)
            case Ticked(now=now):
                return self._on_tick(now)
            case LinkResumed():
                return self._on_link_resumed(event)
            case ConsentDecided(granted=granted):
                return self._on_consent(granted, kind="consent_decided")
            case UserPaused():
                return self._on_pause()
            case UserResumed():
                return self._on_resume()
            case UserRevoked(capabilities=capabilities):
                return self._revoke(capabilities, by="user")
            case UserStopped():
                linked = self.state is not AgentState.SUSPENDED
                return self._end("stopped by the user", journal_kind="stopped_by_user", send_bye=linked)
            case UserChatted(text=text):
                return self._outbound(p.Chat(text))
            case LocalPromptChanged(is_open=is_open):
                self._local_prompt = is_open
                return self._release_input() if is_open else []
            case FrameEncoded(update=update):
                return self._on_frame_encoded(update)
            case LocalMessageReady(message=message):
                return self._outbound(message)
        raise TypeError(f"not an agent event: {event!r}")  # pragma: no cover - exhaustive above

    def _on_message(self, message: p.Message, now: float) -> list[Command]:
        if self.state is AgentState.SUSPENDED:
            return []  # a late frame of a dropped link: the session waits for a resume
        self._last_received = max(self._last_received, now)
        if self.state in _AGENT_LINKED:
            self._previous_secret = None  # the technician is on the new keys: the old epoch is over
            if isinstance(message, RELIABLE):
                self._received += 1
        if isinstance(message, p.Bye):
            return self._end(f"the technician left: {message.reason}", journal_kind="technician_left", send_bye=False)
        if isinstance(message, p.Heartbeat) and self.state in _AGENT_LINKED:
            return []
        if isinstance(message, _AGENT_ONLY):
            return self._violation(f"{type(message).__name__} may only come from the agent")
        match self.state:
            case AgentState.AWAITING_HELLO:
                return self._on_hello(message)
            case AgentState.AWAITING_PAIR_START:
                return self._on_pair_start(message, now)
            case AgentState.AWAITING_PAIR_CONFIRM:
                return self._on_pair_confirm(message, now)
            case AgentState.PAIRED:
                if isinstance(message, p.ConsentRequest):
                    return self._ask(message, now)
                if isinstance(message, p.Chat):
                    return [ShowChat(message.text), Journal("chat_from_technician", {"text": message.text})]
                return self._violation(f"{type(message).__name__} before consent was asked")
            case AgentState.PROMPTING | AgentState.ACTIVE:
                return self._on_consented_message(message, now)
        return []  # pragma: no cover - CLOSED is filtered in handle()

    def _on_hello(self, message: p.Message) -> list[Command]:
        if isinstance(message, p.ResumeStart):
            # A console that wants a session this connection never had (the agent restarted, or it ended).
            return [
                Journal("resume_refused", {"reason": "no session to resume"}),
                *self._close_with_bye("no session to resume"),
            ]
        if not isinstance(message, p.Hello) or message.role is not p.Role.TECHNICIAN:
            return self._violation("expected the technician's Hello")
        if message.version != p.PROTOCOL_VERSION:
            return self._violation(f"unsupported protocol version {message.version}")
        self._hello_bytes = p.encode(message)
        self._technician_resumes = RESUME_FEATURE in message.capabilities
        self.state = AgentState.AWAITING_PAIR_START
        return []

    def _on_pair_start(self, message: p.Message, now: float) -> list[Command]:
        if not isinstance(message, p.PairStart):
            return self._violation(f"{type(message).__name__} before pairing")
        try:
            digits = self._codes.begin_attempt(now)
        except PairingError as error:
            return [Journal("pairing_refused", {"reason": error.reason}), *self._close_with_bye(error.reason)]
        self._pairing = self._make_pairing(digits, self._hello_bytes)
        try:
            reply = self._pairing.on_pair_start(message)
        except PairingError as error:
            self._codes.attempt_failed(now)
            return [Journal("pairing_failed", {"reason": error.reason}), *self._close_with_bye(error.reason)]
        self.state = AgentState.AWAITING_PAIR_CONFIRM
        return [Send(reply)]

    def _on_pair_confirm(self, message: p.Message, now: float) -> list[Command]:
        if not isinstance(message, p.PairConfirm) or self._pairing is None:
            self._codes.attempt_failed(now)
            return self._violation(f"{type(message).__name__} before pairing")
        try:
            keys = self._pairing.on_pair_confirm(message)
        except PairingError as error:
            self._codes.attempt_failed(now)
            return [Journal("pairing_failed", {"reason": error.reason}), *self._close_with_bye(error.reason)]
        self._codes.attempt_succeeded(now)
        self._pairing = None
        self.session_id = keys.session_id
        self._resume_secret = keys.resume_secret
        self.state = AgentState.PAIRED
        return [
            InstallKeys(keys),
            Send(p.Hello(p.PROTOCOL_VERSION, p.Role.AGENT, [*FEATURES, RESUME_FEATURE])),
            Journal("paired", {"session": keys.session_id}),
        ]

    def _ask(self, request: p.ConsentRequest, now: float) -> list[Command]:
        self._request = request
        self._prompt_deadline = now + CONSENT_TIMEOUT_SECONDS
        self.state = AgentState.PROMPTING
        return [
            *self._release_input(),  # remote input is suspended while the prompt is open
            AskConsent(request, self._prompt_deadline),
            Journal(
                "consent_asked",
                {"capabilities": _names(request.capabilities), "reason": request.reason, "case": request.case_ref},
            ),
        ]

    def _on_consent(self, answer: frozenset[p.Capability], *, kind: str) -> list[Command]:
        if self.state is not AgentState.PROMPTING or self._request is None:
            return []  # a late answer to a prompt that already timed out or was dismissed
        requested = frozenset(self._request.capabilities)
        newly = (answer & requested) - self.granted
        refused = requested - answer
        self._request = None
        commands: list[Command] = []
        if kind != "consent_decided":
            commands.append(DismissPrompt())
        commands.append(
            Journal(
                kind,
                {
                    "granted": _names(answer & requested),
                    "refused": _names(refused),
                    "now": _names(self.granted | newly),
                },
            )
        )
        if not self._consented_once and not newly:
            # The first request refused (or ignored): nothing was ever shared; end the session.
            self.state = AgentState.PAIRED  # the prompt is answered; nothing left to dismiss
            commands.append(Send(p.ConsentDecision([])))
            commands.extend(self._close_with_bye("consent refused"))
            return commands
        self._consented_once = True
        self.granted |= newly
        self.state = AgentState.ACTIVE
        commands.append(Send(p.ConsentDecision(_sorted(self.granted))))
        if p.Capability.VIEW in newly and not self.paused:
            commands.append(StartCapture())
        return commands

    def _on_tick(self, now: float) -> list[Command]:
        pairing = (AgentState.AWAITING_HELLO, AgentState.AWAITING_PAIR_START, AgentState.AWAITING_PAIR_CONFIRM)
        if self.state in pairing and now - self._opened_at >= PAIRING_DEADLINE_SECONDS:
            return [Journal("pairing_timed_out"), *self._close_with_bye("pairing took too long")]
        if self.state is AgentState.PROMPTING and now >= self._prompt_deadline:
            return self._on_consent(frozenset(), kind="consent_timed_out")
        if self.state is AgentState.SUSPENDED:
            if now >= self._suspended_until:
                return self._end("the technician did not come back", journal_kind="resume_timed_out", send_bye=False)
            return []
        if self.state in _AGENT_LINKED:
            silence = RESUME_SILENCE_SECONDS if self.resumable else LINK_TIMEOUT_SECONDS
            if now - self._last_received >= silence:
                if self.resumable:
                    return self._suspend("the link went silent")
                return self._end("the link went silent", journal_kind="link_lost", send_bye=False)
            beat = RESUME_HEARTBEAT_SECONDS if self.resumable else HEARTBEAT_SECONDS
            if now - self._last_sent >= beat:
                return [Send(p.Heartbeat())]
        return []

    # --- suspend and resume -----------------------------------------------------------------------------

    def _suspend(self, reason: str) -> list[Command]:
        if self.state is AgentState.PROMPTING and not self._consented_once:
            # The first request was never answered: nothing was shared, so there is nothing to keep.
            return self._end(reason, journal_kind="link_lost", send_bye=False)
        # Local effects first, exactly as for a stop: capture off, the technician's held input released.
        commands: list[Command] = [*self._release_input()]
        if self.granted or self._capturing_frame:
            commands.insert(0, StopCapture())
        if self.state is AgentState.PROMPTING:
            commands.append(DismissPrompt())  # a later request left unanswered: the earlier grants stand
            self._request = None
        self._resume_to = AgentState.ACTIVE if self._consented_once else AgentState.PAIRED
        self._pending_frame = None
        self._capturing_frame = False
        self._suspended_at = self._now
        self._suspended_until = self._now + self._resume_grace
        self.state = AgentState.SUSPENDED
        commands.append(
            Journal("technician_disconnected", {"reason": reason, "grace_seconds": round(self._resume_grace)})
        )
        commands.append(DropLink(reason))
        return commands

    def _on_link_resumed(self, event: LinkResumed) -> list[Command]:
        start, challenge = event.start, event.challenge
        if challenge.nonce not in self._challenges:
            return self._refuse_resume("not a challenge of ours, or one already answered")
        self._challenges.remove(challenge.nonce)
        secret = self._secret_for(start)
        if isinstance(secret, str):
            return self._refuse_resume(secret)
        transcript = ResumeTranscript(
            self.session_id, start.epoch, start.nonce, challenge.nonce, start.received, challenge.received
        )
        if not check_resume_proof(secret, "technician", transcript, event.confirm.proof):
            return self._refuse_resume("wrong resume proof")
        if challenge.received != self._received:
            # More of the technician's messages arrived on the old link since the challenge: its replay
            # would repeat them.  The console tries again with a fresh challenge.
            return self._refuse_resume("the old link was still delivering")
        missing = self._out.since(start.received)
        if missing is None:
            return self._end("too much was lost to resume", journal_kind="resume_failed", send_bye=False)
        keys = resume_keys(secret, transcript, agent=True)
        self._previous_secret = (start.epoch, secret)
        self._epoch = start.epoch + 1
        self._resume_secret = keys.resume_secret
        self._out.acknowledge(start.received)
        commands: list[Command] = []
        away = max(self._now, event.now) - self._suspended_at
        if (
            self.state is AgentState.SUSPENDED
            and away > RESUME_CONTROL_SECONDS
            and p.Capability.CONTROL in self.granted
        ):
            # After a long gap the person at the machine may have moved on: the technician sees again, but
            # must ask again before touching anything.  Sent (as a Revoke) right after the resume.
            self.granted -= {p.Capability.CONTROL}
            commands.append(Journal("revoked", {"by": "agent", "capabilities": "control", "reason": "away too long"}))
            revoke = p.Revoke([p.Capability.CONTROL])
            self._out.add(revoke)  # numbered like any reliable message, and sent with the ones the console lacks
            missing.append(revoke)
        if self.state is not AgentState.SUSPENDED:
            # The agent had not noticed the old link was gone: the same local effects as a suspension.
            commands.extend(self._release_input())
            if self.granted:
                commands.insert(0, StopCapture())
            self._pending_frame = None
            self._capturing_frame = False
            self._resume_to = self.state
        self.state = self._resume_to
        self._last_received = self._last_sent = max(self._now, event.now)
        commands.append(AdoptLink(keys))
        commands.extend(Resend(self._replayable(message)) for message in missing)
        commands.append(Send(p.Resumed(_sorted(self.granted), self.paused)))
        commands.append(Journal("technician_reconnected", {"resumes": self._epoch, "resent": len(missing)}))
        if self._viewing():
            commands.append(StartCapture())  # a fresh stream: the console asks for a full picture
        return commands

    def _replayable(self, message: p.Message) -> p.Message:
        """What of a message the console missed may go out now: clipboard content only while still granted.

        The user may have turned clipboard sharing off while the link was down; what was copied before must
        not cross after that.  The replay keeps its numbering, so the content gives way to a notice.
        """
        if isinstance(message, p.Clipboard) and p.Capability.CLIPBOARD not in self.granted:
            return p.Notice("clipboard-withheld", "Clipboard content copied before sharing went off was not sent.")
        return message

    def _refuse_resume(self, reason: str) -> list[Command]:
        return [Journal("resume_refused", {"reason": reason}), RefuseLink(reason)]

    def _on_consented_message(self, message: p.Message, now: float) -> list[Command]:
        match message:
            case p.ConsentRequest():
                if self.state is AgentState.PROMPTING:
                    return self._violation("a second consent request while the user is deciding")
                return self._ask(message, now)
            case p.FrameRequest():
                return self._on_frame_request(message)
            case p.SelectMonitor(index=index):
                if self._viewing():
                    return [SwitchMonitor(index)]
                return []
            case p.Pointer() | p.Key():
                return self._on_input(message)
            case p.Clipboard(text=text):
                reason = self._input_block_reason(p.Capability.CLIPBOARD)
                if reason:
                    return self._drop("clipboard", reason)
                return [SetClipboard(text), Journal("clipboard_to_user", {"chars": len(text)})]
            case p.Chat(text=text):
                return [ShowChat(text), Journal("chat_from_technician", {"text": text})]
            case p.ChangeReport(script_id=script_id):
                return [ShowChangeReport(script_id), Journal("change_reported_by_technician", {"script": script_id})]
            case p.RunScript():
                if p.Capability.DIAGNOSTICS not in self.granted:
                    return self._drop("diagnostics", "no diagnostics consent")
                return [RunDiagnostic(message), Journal("diagnostic_requested", {"request": message.request_id})]
            case p.Revoke(capabilities=capabilities):
                return self._revoke(frozenset(capabilities), by="technician")
            case p.Hello() | p.PairStart() | p.PairConfirm():
                return self._violation(f"{type(message).__name__} in a paired session")
        return self._violation(f"{type(message).__name__} not expected now")  # pragma: no cover

    # --- view -------------------------------------------------------------------------------------

    def _viewing(self) -> bool:
        return p.Capability.VIEW in self.granted and not self.paused

    def _on_frame_request(self, request: p.FrameRequest) -> list[Command]:
        if p.Capability.VIEW not in self.granted:
            return []  # crossed a revoke on the wire, or view was never granted: nothing to send
        if self.paused or self._capturing_frame:
            self._pending_frame = request
            return []
        self._capturing_frame = True
        return [CaptureFrame(request.incremental, request.max_bytes)]

    def _on_frame_encoded(self, update: p.FrameUpdate) -> list[Command]:
        self._capturing_frame = False
        if self.state is not AgentState.ACTIVE and self.state is not AgentState.PROMPTING:
            return []
        if not self._viewing():
            # Paused or revoked while encoding: the pixels stay here.  After a pause the console still
            # waits for an answer, so a full frame is owed when the view resumes.
            if p.Capability.VIEW in self.granted and self._pending_frame is None:
                self._pending_frame = p.FrameRequest(False)
            return []
        commands: list[Command] = [Send(update)]
        if self._pending_frame is not None:
            pending, self._pending_frame = self._pending_frame, None
            commands.extend(self._on_frame_request(pending))
        return commands

    def _on_pause(self) -> list[Command]:
        if self.paused or self.state not in (AgentState.ACTIVE, AgentState.PROMPTING, AgentState.SUSPENDED):
            return []
        self.paused = True
        commands: list[Command] = [*self._release_input(), Journal("paused_by_user")]
        if p.Capability.VIEW in self.granted:
            commands.insert(0, StopCapture())
            # StopCapture cancels a capture in flight (its update may never come): if the console is still
            # waiting for an answer, a full frame is owed when the view resumes.
            if self._capturing_frame and self._pending_frame is None:
                self._pending_frame = p.FrameRequest(False)
            self._capturing_frame = False
        commands.append(Send(p.Pause()))
        return commands

    def _on_resume(self) -> list[Command]:
        if not self.paused or self.state not in (AgentState.ACTIVE, AgentState.PROMPTING, AgentState.SUSPENDED):
            return []
        self.paused = False
        commands: list[Command] = [Journal("resumed_by_user"), Send(p.Resume())]
        if p.Capability.VIEW in self.granted:
            commands.append(StartCapture())
            if self._pending_frame is not None:
                pending, self._pending_frame = self._pending_frame, None
                commands.extend(self._on_frame_request(pending))
        return commands

    # --- input ------------------------------------------------------------------------------------

    def _input_block_reason(self, capability: p.Capability) -> str:
        if capability not in self.granted:
            return f"no {capability.value} consent"
        if self.prompt_open:
            return "a prompt is open"
        if self.paused:
            return "paused"
        return ""

    def _on_input(self, message: p.Pointer | p.Key) -> list[Command]:
        reason = self._input_block_reason(p.Capability.CONTROL)
        if reason:
            return self._drop("input", reason)
        if isinstance(message, p.Key):
            identity = (message.keysym, message.text)
            if message.down:
                self._held_keys[identity] = message
            else:
                self._held_keys.pop(identity, None)
            return [ApplyKey(message)]
        self._held_buttons = message.buttons
        self._pointer_at = (message.x, message.y)
        return [ApplyPointer(message)]

    def _drop(self, what: str, reason: str) -> list[Command]:
        self.dropped_inputs += 1
        key = f"{what}:{reason}"
        if key in self._journaled_drops:
            return []
        self._journaled_drops.add(key)
        return [Journal(f"{what}_rejected", {"reason": reason})]

    def _release_input(self) -> list[Command]:
        commands: list[Command] = [ApplyKey(p.Key(False, key.keysym, key.text)) for key in self._held_keys.values()]
        self._held_keys.clear()
        if self._held_buttons & _BUTTON_MASK_ALL:
            commands.append(ApplyPointer(p.Pointer(*self._pointer_at, buttons=0)))
            self._held_buttons = 0
        return commands

    # --- revoke, stop, violations --------------------------------------------------------------------

    def _revoke(self, capabilities: frozenset[p.Capability], *, by: str) -> list[Command]:
        removed = capabilities & self.granted
        if not removed or self.state not in (AgentState.ACTIVE, AgentState.PROMPTING, AgentState.SUSPENDED):
            return []
        self.granted -= removed
        commands: list[Command] = []
        if p.Capability.CONTROL in removed:
            commands.extend(self._release_input())
        if p.Capability.VIEW in removed:
            commands.insert(0, StopCapture())
            # The console stops waiting when it learns view is revoked; a re-grant starts a fresh stream.
            self._pending_frame = None
            self._capturing_frame = False
        commands.append(Journal("revoked", {"by": by, "capabilities": _names(removed), "now": _names(self.granted)}))
        commands.append(Send(p.Revoke(_sorted(removed))))
        return commands

    def _outbound(self, message: p.Message) -> list[Command]:
        if self.state is AgentState.SUSPENDED and isinstance(message, p.Chat | p.Feedback):
            pass  # kept for the technician's return (and journaled now); nothing else waits for the link
        elif self.state not in (AgentState.PAIRED, AgentState.PROMPTING, AgentState.ACTIVE):
            return []
        if type(message) not in _OUTBOUND_NEEDS:
            raise ValueError(f"{type(message).__name__} is not an agent-originated message")
        needed = _OUTBOUND_NEEDS[type(message)]
        if needed is not None and needed not in self.granted:
            return []
        if needed is p.Capability.VIEW and self.paused:
            return []
        commands: list[Command] = [Send(message)]
        if isinstance(message, p.Clipboard):
            commands.append(Journal("clipboard_to_technician", {"chars": len(message.text)}))
        elif isinstance(message, p.Chat):
            commands.append(Journal("chat_from_user", {"text": message.text}))
        elif isinstance(message, p.Feedback):
            commands.append(Journal("feedback", {"rating": message.rating}))
        elif isinstance(message, p.Notice):
            commands.append(Journal("notice", {"code": message.code}))
        return commands

    def _violation(self, reason: str) -> list[Command]:
        return [Journal("protocol_violation", {"reason": reason}), *self._end(reason, journal_kind="", send_bye=True)]

    def _close_with_bye(self, reason: str) -> list[Command]:
        return self._end(reason, journal_kind="", send_bye=True)

    def _end(self, reason: str, *, journal_kind: str, send_bye: bool) -> list[Command]:
        # Local effects first: capture stops and held input is released before anything touches the network.
        commands: list[Command] = [*self._release_input()]
        if self.granted or self._capturing_frame:
            commands.insert(0, StopCapture())
        if self.state is AgentState.PROMPTING:
            commands.append(DismissPrompt())
        if self.state is AgentState.AWAITING_PAIR_CONFIRM:
            # An abandoned attempt counts as a wrong one (the peer may have learnt from our confirmation).
            self._codes.attempt_failed(self._now)
        if journal_kind:
            commands.append(Journal(journal_kind, {"reason": reason}))
        if send_bye:
            commands.append(Send(p.Bye(reason)))
        commands.append(Close(reason))
        self.state = AgentState.CLOSED
        self.granted = frozenset()
        self._pairing = None
        return commands


class TechnicianSession:
    """The technician's side of one connection: pairs, asks for consent, pulls frames, sends input."""

    def __init__(self) -> None:
        self.state = TechnicianState.STARTING
        self.granted: frozenset[p.Capability] = frozenset()
        self.paused = False
        self._pairing: TechnicianPairing | None = None
        self._consent: p.ConsentRequest | None = None
        self._identity: Callable[[str], bytes] | None = None
        self._deadline = 0.0
        self._awaiting_frame = False
        self._now = 0.0
        self._last_received = 0.0
        self._last_sent = 0.0
        self.session_id = ""
        self.close_reason = ""
        # Resume: whether this side can reconnect, whether the agent can, and the resume bookkeeping.
        self._can_reconnect = False
        self._agent_resumes = False
        self._resume_secret = b""
        self._epoch = 0
        self._resume_to = TechnicianState.ACTIVE
        self._reconnect_deadline = 0.0
        self._resume_nonce = b""
        self._resume_received = 0
        self._pending_resume: tuple[int, bytes, int] | None = None  # (epoch, secret, agent's count) until Resumed
        self._out = ReplayBuffer()
        self._received = 0

    @property
    def resumable(self) -> bool:
        """Whether a lost link makes this session reconnect (both sides can resume) instead of ending it."""
        return self._can_reconnect and self._agent_resumes and bool(self._resume_secret)

    def handle(self, event: TechnicianEvent) -> list[Command]:
        """Feed one event; return the commands to carry out, in order."""
        before = (self.state, self.granted, self.paused)
        if self.state is TechnicianState.CLOSED:
            return []
        if isinstance(event, Started | MessageReceived | Ticked | LinkOpened):
            self._now = max(self._now, event.now)
        if isinstance(event, Started):
            self._last_received = self._last_sent = event.now
        commands = self._dispatch(event)
        link_up = self.state is not TechnicianState.RECONNECTING or self._pending_resume is not None
        commands = _route(commands, self._out, recording=self.resumable, link_up=link_up)
        if any(isinstance(c, Send) for c in commands):
            self._last_sent = self._now
        if (self.state, self.granted, self.paused) != before:
            commands.append(StateChanged(self.state, self.granted, self.paused))
        return commands

    def _dispatch(self, event: TechnicianEvent) -> list[Command]:
        match event:
            case Started(code=code, consent=consent, now=now, identity=identity, resumable=resumable):
                self._identity = identity
                self._can_reconnect = resumable
                return self._start(code, consent, now)
            case MessageReceived(message=message, now=now):
                if self.state is TechnicianState.RECONNECTING and self._pending_resume is None:
                    return self._on_resume_message(message, now)
                return self._on_message(message, now)
            case PeerMisbehaved(reason=reason):
                return self._end(reason, send_bye=True)
            case ConnectionLost(reason=reason):
                if self.state is TechnicianState.RECONNECTING:
                    self._pending_resume = None  # that attempt failed; the old epoch still holds
                    return [DropLink(reason)]
                if self.state in _TECHNICIAN_LINKED and self.resumable:
                    return self._disconnect(reason)
                return self._end(reason, send_bye=False)
            case Ticked(now=now, heard=heard):
                if heard:
                    self._last_received = max(self._last_received, now)
                return self._on_tick(now)
            case LinkOpened(nonce=nonce, now=now):
                if self.state is not TechnicianState.RECONNECTING:
                    return [DropLink("not reconnecting")]
                self._resume_nonce = nonce
                self._resume_received = self._received
                self._pending_resume = None
                start = p.ResumeStart(bytes.fromhex(self.session_id), self._epoch, nonce, self._received)
                return [Send(start)]
            case UserStopped():
                linked = self.state is not TechnicianState.RECONNECTING
                return self._end("stopped by the technician", send_bye=linked)
            case UserChatted(text=text):
                talking = (TechnicianState.AWAITING_CONSENT, TechnicianState.ACTIVE, TechnicianState.RECONNECTING)
                if self.state in talking:
                    # While reconnecting the line is kept and goes out after the resume.
                    return [Send(p.Chat(text)), Journal("chat_from_technician", {"text": text})]
                return []
            case FrameDrawn():
                return self._request_frame(incremental=True)
            case LocalInputReady(message=message):
                return self._local_input(message)
        raise TypeError(f"not a technician event: {event!r}")  # pragma: no cover

    def _on_tick(self, now: float) -> list[Command]:
        waiting = (
            TechnicianState.AWAITING_PAIR_REPLY,
            TechnicianState.AWAITING_AGENT_HELLO,
            TechnicianState.AWAITING_CONSENT,
        )
        if self.state is TechnicianState.RECONNECTING:
            if now >= self._reconnect_deadline:
                return self._end("could not reconnect to the user's computer", send_bye=False)
            return []
        if self.state in waiting and now >= self._deadline:
            return self._end(f"no answer while {self.state.value}", send_bye=True)
        if self.state in _TECHNICIAN_LINKED:
            if self.resumable:
                if now - self._last_received >= RESUME_SUSPECT_SECONDS:
                    return self._disconnect("the link went silent")
                if now - self._last_sent >= RESUME_HEARTBEAT_SECONDS:
                    return [Send(p.Heartbeat())]
                return []
            if now - self._last_received >= LINK_TIMEOUT_SECONDS:
                return self._end("the link went silent", send_bye=False)
            if now - self._last_sent >= HEARTBEAT_SECONDS:
                return [Send(p.Heartbeat())]
        return []

    # --- reconnect and resume ---------------------------------------------------------------------------

    def _disconnect(self, reason: str) -> list[Command]:
        self._resume_to = self.state
        self.state = TechnicianState.RECONNECTING
        self._reconnect_deadline = self._now + RECONNECT_GIVE_UP_SECONDS
        self._pending_resume = None
        self._awaiting_frame = False  # the request in flight is lost with the link; a full picture follows
        return [Journal("link_lost", {"reason": reason}), DropLink(reason)]

    def _on_resume_message(self, message: p.Message, now: float) -> list[Command]:
        """The new link's answer to our ResumeStart (in the clear): a challenge, or the agent's refusal."""
        if isinstance(message, p.Bye):
            return self._end(f"the agent ended the session: {message.reason}", send_bye=False)
        if not isinstance(message, p.ResumeChallenge) or not self._resume_nonce:
            return [DropLink(f"{type(message).__name__} instead of a resume challenge")]
        transcript = ResumeTranscript(
            self.session_id, self._epoch, self._resume_nonce, message.nonce, self._resume_received, message.received
        )
        self._resume_nonce = b""  # one challenge per nonce
        if not check_resume_proof(self._resume_secret, "agent", transcript, message.proof):
            # Whatever answered does not hold this session's secret: not the user's agent.  Stop here.
            return [
                Journal("resume_refused", {"reason": "the agent could not prove it is the same session"}),
                *self._end("the other side could not prove it is the same session", send_bye=False),
            ]
        missing = self._out.since(message.received)
        if missing is None:
            return self._end("too much was lost to resume", send_bye=False)
        keys = resume_keys(self._resume_secret, transcript, agent=False)
        self._pending_resume = (self._epoch + 1, keys.resume_secret, message.received)
        self._last_received = self._last_sent = now
        return [
            Send(p.ResumeConfirm(resume_proof(self._resume_secret, "technician", transcript))),
            InstallKeys(keys),
            *(Resend(m) for m in missing),
        ]

    def _on_resumed(self, message: p.Resumed) -> list[Command]:
        if self._pending_resume is None:
            return self._end("Resumed without a resume", send_bye=True)
        self._epoch, self._resume_secret, agent_received = self._pending_resume
        self._pending_resume = None
        self._out.acknowledge(agent_received)
        self.granted = frozenset(message.granted)
        self.paused = message.paused
        self.state = self._resume_to
        if self.state is TechnicianState.AWAITING_CONSENT and self.granted:
            self.state = TechnicianState.ACTIVE
        commands: list[Command] = [Journal("reconnected", {"resumes": self._epoch})]
        requested = [] if self._awaiting_frame else self._request_frame(incremental=False)
        # Something must go out on the new link at once: it tells the agent the new keys work.
        commands.extend(requested or [Send(p.Heartbeat())])
        return commands

    def _start(self, code: str, consent: p.ConsentRequest, now: float) -> list[Command]:
        if self.state is not TechnicianState.STARTING:
            return []
        features = [*FEATURES, RESUME_FEATURE] if self._can_reconnect else list(FEATURES)
        hello = p.Hello(p.PROTOCOL_VERSION, p.Role.TECHNICIAN, features)
        try:
            self._pairing = TechnicianPairing(code, p.encode(hello))
        except PairingError as error:
            return self._end(error.reason, send_bye=False)
        self._consent = consent
        self._deadline = now + PAIRING_DEADLINE_SECONDS
        self.state = TechnicianState.AWAITING_PAIR_REPLY
        return [Send(hello), Send(self._pairing.start())]

    def _on_message(self, message: p.Message, now: float) -> list[Command]:
        self._last_received = max(self._last_received, now)
        if self.state in (*_TECHNICIAN_LINKED, TechnicianState.RECONNECTING) and isinstance(message, RELIABLE):
            self._received += 1
        if isinstance(message, p.Bye):
            return self._end(f"the agent ended the session: {message.reason}", send_bye=False)
        if isinstance(message, p.Heartbeat) and self.state in (*_TECHNICIAN_LINKED, TechnicianState.RECONNECTING):
            return []
        if isinstance(message, p.Resumed):
            return self._on_resumed(message)
        if self.state is TechnicianState.RECONNECTING:
            # The resumed link, before the agent's Resumed: what the agent sends again, as if never lost.
            return self._on_agent_message(message)
        match self.state:
            case TechnicianState.AWAITING_PAIR_REPLY:
                if not isinstance(message, p.PairReply) or self._pairing is None:
                    return self._end(f"{type(message).__name__} before pairing", send_bye=True)
                try:
                    confirm, keys = self._pairing.on_pair_reply(message)
                except PairingError as error:
                    return [
                        Journal("pairing_failed", {"reason": error.reason}),
                        *self._end(error.reason, send_bye=True),
                    ]
                self._pairing = None
                self.session_id = keys.session_id
                self._resume_secret = keys.resume_secret
                self.state = TechnicianState.AWAITING_AGENT_HELLO
                return [Send(confirm), InstallKeys(keys), Journal("paired", {"session": keys.session_id})]
            case TechnicianState.AWAITING_AGENT_HELLO:
                if not isinstance(message, p.Hello) or message.role is not p.Role.AGENT:
                    return self._end("expected the agent's Hello", send_bye=True)
                if message.version != p.PROTOCOL_VERSION or self._consent is None:
                    return self._end(f"unsupported agent protocol version {message.version}", send_bye=True)
                self._agent_resumes = RESUME_FEATURE in message.capabilities
                self.state = TechnicianState.AWAITING_CONSENT
                self._deadline = now + TECHNICIAN_CONSENT_WAIT_SECONDS
                if self._identity is not None:
                    self._consent = msgspec.structs.replace(self._consent, identity=self._identity(self.session_id))
                return [
                    Send(self._consent),
                    Journal("consent_asked", {"capabilities": _names(self._consent.capabilities)}),
                ]
            case TechnicianState.AWAITING_CONSENT | TechnicianState.ACTIVE:
                return self._on_agent_message(message)
        return self._end(f"{type(message).__name__} not expected now", send_bye=True)

    def _on_agent_message(self, message: p.Message) -> list[Command]:
        match message:
            case p.ConsentDecision(granted=granted):
                self.granted = frozenset(granted)
                journal = Journal("consent_decided", {"granted": _names(self.granted)})
                if not self.granted:
                    return [journal]  # the agent follows with Bye
                self.state = TechnicianState.ACTIVE
                commands: list[Command] = [journal]
                if not self._awaiting_frame:
                    commands.extend(self._request_frame(incremental=False))
                return commands
            case p.Revoke(capabilities=capabilities):
                self.granted -= frozenset(capabilities)
                if p.Capability.VIEW in capabilities:
                    self._awaiting_frame = False
                return [Journal("revoked", {"by": "user", "capabilities": _names(capabilities)}), Deliver(message)]
            case p.Pause():
                self.paused = True
                return [Journal("paused_by_user"), Deliver(message)]
            case p.Resume():
                self.paused = False
                commands = [Journal("resumed_by_user"), Deliver(message)]
                if not self._awaiting_frame:  # the agent keeps a request that was waiting when it paused
                    commands.extend(self._request_frame(incremental=False))
                return commands
            case p.FrameUpdate() | p.ScreenInfo() | p.CursorUpdate():
                if p.Capability.VIEW not in self.granted:
                    return self._end(f"{type(message).__name__} without view consent", send_bye=True)
                if isinstance(message, p.FrameUpdate):
                    self._awaiting_frame = False
                return [Deliver(message)]
            case p.Chat(text=text):
                return [ShowChat(text), Journal("chat_from_user", {"text": text})]
            case p.Clipboard(text=text):
                if p.Capability.CLIPBOARD not in self.granted:
                    return self._end("clipboard without consent", send_bye=True)
                return [Deliver(message), Journal("clipboard_to_technician", {"chars": len(text)})]
            case p.ScriptProgress() | p.ScriptResult() | p.ApprovalRequest() | p.ApprovalDecision():
                return [Deliver(message)]
            case p.Notice(code=code):
                return [Deliver(message), Journal("notice", {"code": code})]
            case p.Feedback(rating=rating):
                return [Deliver(message), Journal("feedback", {"rating": rating})]
        return self._end(f"{type(message).__name__} not expected from the agent", send_bye=True)

    def _request_frame(self, *, incremental: bool) -> list[Command]:
        if self.state is not TechnicianState.ACTIVE or p.Capability.VIEW not in self.granted or self.paused:
            return []
        self._awaiting_frame = True
        return [Send(p.FrameRequest(incremental))]

    def _local_input(self, message: p.Message) -> list[Command]:
        if self.state is not TechnicianState.ACTIVE:
            return []
        needs: Mapping[type, p.Capability | None] = {
            p.Pointer: p.Capability.CONTROL,
            p.Key: p.Capability.CONTROL,
            p.Clipboard: p.Capability.CLIPBOARD,
            p.RunScript: p.Capability.DIAGNOSTICS,
            p.SelectMonitor: p.Capability.VIEW,
            p.Revoke: None,
            p.ConsentRequest: None,
            p.ChangeReport: None,
        }
        if type(message) not in needs:
            raise ValueError(f"{type(message).__name__} is not technician input")
        needed = needs[type(message)]
        if needed is not None and (needed not in self.granted or self.paused):
            return []  # the agent would drop it anyway; do not spend the link on it
        commands: list[Command] = [Send(message)]
        if isinstance(message, p.Revoke):
            self.granted -= frozenset(message.capabilities)
            commands.append(Journal("revoked", {"by": "technician", "capabilities": _names(message.capabilities)}))
        elif isinstance(message, p.ConsentRequest):
            commands.append(Journal("consent_asked", {"capabilities": _names(message.capabilities)}))
        elif isinstance(message, p.ChangeReport):
            commands.append(Journal("change_reported_to_user", {"script": message.script_id}))
        return commands

    def _end(self, reason: str, *, send_bye: bool) -> list[Command]:
        self.close_reason = reason
        commands: list[Command] = [Journal("session_ended", {"reason": reason})]
        if send_bye and self.state is not TechnicianState.STARTING:
            commands.append(Send(p.Bye(reason)))
        commands.append(Close(reason))
        self.state = TechnicianState.CLOSED
        self.granted = frozenset()
        return commands
