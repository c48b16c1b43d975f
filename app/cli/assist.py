"""``podpora assist``: the end user's "Get help" app.

``--listen PORT`` (direct mode: the agent listens on 127.0.0.1:PORT and the technician arrives through this
machine's OpenSSH) or ``--gateway ALIAS`` (the agent reverse-forwards through the organisation's gateway).
``--headless --policy FILE`` runs the agent without a window for unattended machines, under an
organisation-signed policy verified against the organisation keys of the rolled-out settings; it prints
the port and session code and runs until interrupted.  ``--resume-grace SECONDS`` (0–600; 0 ends the session at
once) sets how long a session waits for a technician whose link dropped; it overrides the organisation's
``[session] resume_grace_seconds``, and without either the agent waits 60 s.  ``--smoke`` starts offscreen,
shows the window and exits 0 (for packaging).  The agent refuses to run as root unless ``--allow-root`` is
given (SECURITY-BAR T26).  Everything the network sends is parsed in a separate, confined protocol process
(``app.remote.privsep``); ``--single-process`` keeps it in this process (for troubleshooting only: weaker).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from app.errors import PodporaError


def register(subparsers: Any) -> None:
    """Add ``podpora assist``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "assist", help="open the end user's Get help app", description=__doc__
    )
    route = parser.add_mutually_exclusive_group()
    route.add_argument("--listen", type=int, metavar="PORT", help="direct mode: listen on 127.0.0.1:PORT")
    route.add_argument("--gateway", metavar="ALIAS", help="gateway mode: reverse-forward through this SSH alias")
    parser.add_argument("--headless", action="store_true", help="run without a window (unattended mode)")
    parser.add_argument("--policy", type=Path, help="organisation-signed unattended policy (with --headless)")
    parser.add_argument("--language", choices=["en", "cs", "sk"], help="interface language for this run")
    parser.add_argument(
        "--resume-grace",
        type=_grace_seconds,
        metavar="SECONDS",
        help="how long a session waits for a technician whose link dropped (0-600, 0 = end at once; default: "
        "the organisation's setting, else 60)",
    )
    parser.add_argument("--smoke", action="store_true", help="start offscreen, show the window, exit 0")
    parser.add_argument(
        "--allow-root",
        action="store_true",
        help="administrator mode: allow running as root (refused otherwise; logged to the system log)",
    )
    parser.add_argument(
        "--single-process",
        action="store_true",
        help="parse the network in this process instead of a confined protocol process (troubleshooting only)",
    )
    parser.set_defaults(func=run)


def protocol_process_command(single_process: bool) -> list[str] | None:
    """The argv of the confined protocol process (``app.remote.privsep``), or None to parse in-process."""
    if single_process:
        return None
    from app.cli.child_process import python_module_command

    return python_module_command("app.remote.privsep")


def _grace_seconds(text: str) -> float:
    """argparse type of ``--resume-grace``: a number of seconds within the organisation file's bounds."""
    from app.orgconfig import MAX_RESUME_GRACE_SECONDS, check_resume_grace

    try:
        seconds = check_resume_grace(float(text))
    except ValueError:
        seconds = None
    if seconds is None:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to {MAX_RESUME_GRACE_SECONDS}")
    return seconds


def resume_grace(command_line: float | None, organisation: Any) -> float:
    """The resume grace period: the command line's, else the organisation's, else the agent's default."""
    from app.remote.session import RESUME_GRACE_SECONDS

    if command_line is not None:
        return float(command_line)
    if organisation.resume_grace_seconds is not None:
        return float(organisation.resume_grace_seconds)
    return RESUME_GRACE_SECONDS


# EX_NOPERM: the agent refuses to run with root's rights (SECURITY-BAR T26).
EXIT_REFUSED_AS_ROOT = 77


def refuse_root(allow_root: bool, *, euid: int | None = None) -> int | None:
    """Refuse to run the agent as root (euid 0) unless ``--allow-root``; return the exit code, or None to go on.

    The agent parses network input and can read the screen and move the mouse: as root, a flaw in it would
    hand an attacker the whole machine, and root's desktop is not the user's anyway.  An administrator who
    needs it anyway passes ``--allow-root``: that is said on stderr and written to the system log, so that it
    is never silent.
    """
    effective = os.geteuid() if euid is None and hasattr(os, "geteuid") else euid
    if effective != 0:
        return None
    if not allow_root:
        print(
            "podpora assist: refusing to run as root (the administrator account). Start Get help as the user "
            "who needs help. An administrator who really needs it can pass --allow-root.",
            file=sys.stderr,
        )
        return EXIT_REFUSED_AS_ROOT
    notice = "running as root because --allow-root was given: the agent has the administrator's rights"
    print(f"podpora assist: WARNING: {notice}", file=sys.stderr, flush=True)
    _system_log(f"podpora assist (pid {os.getpid()}, uid {os.getuid()}): {notice}")
    return None


def _system_log(message: str) -> None:
    """Write ``message`` to the system log (journald/syslog, authpriv facility) where there is one."""
    try:
        import syslog
    except ImportError:  # Windows: no syslog; the stderr notice remains
        return
    syslog.openlog("podpora-assist", syslog.LOG_PID, syslog.LOG_AUTHPRIV)
    syslog.syslog(syslog.LOG_WARNING, message)
    syslog.closelog()


def run(args: argparse.Namespace) -> int:
    """Start the assist app (or the headless agent)."""
    if args.listen is not None and not 0 < args.listen < 65536:
        print("podpora assist: --listen needs a port between 1 and 65535.", file=sys.stderr)
        return 2
    if args.headless:
        return _run_headless(args)
    if args.policy is not None:
        print("podpora assist: --policy only applies with --headless.", file=sys.stderr)
        return 2
    if args.smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.ui.application import display_problem

    problem = display_problem()
    if problem:
        print(f"podpora assist: {problem}", file=sys.stderr)
        return 2
    if not args.smoke:  # a smoke run starts no agent: no port, no capture, no input
        refused = refuse_root(args.allow_root)
        if refused is not None:
            return refused
    from app.orgconfig import load_org_config
    from app.ui.application import run_event_loop, smoke, start_qt
    from app.ui.assist.controller import AssistController, ScriptedAssistBackend
    from app.ui.assist.window import AssistWindow
    from app.ui.settings import UiSettings

    organisation = load_org_config()
    # The user's own choice wins, then the organisation's default, then the system's language.
    language = args.language or (organisation.language if UiSettings.load().language == "system" else None)
    context = start_qt("Podpora assist", base_point_size=11, language=language)
    if args.smoke:
        backend: Any = ScriptedAssistBackend()  # the smoke test must not open ports or grab the screen
        controller = AssistController(backend)
    else:
        from app.ui.assist import wiring

        backend = wiring.make_backend(
            listen=args.listen,
            gateway=_gateway_publisher(args.gateway),
            org_keys=_organisation_keys(),
            language=lambda: str(context.languages.language),
            resume_grace=resume_grace(args.resume_grace, organisation),
            protocol_process=protocol_process_command(args.single_process),
        )
        controller = AssistController(
            backend, self_check=wiring.make_self_check(lambda: str(context.languages.language))
        )
        backend.bind(controller)
    window = AssistWindow(controller, context.languages, brand_name=organisation.branding.name)
    if args.smoke:
        return smoke(context.app, window)
    window.show()
    try:
        return run_event_loop(context.app)
    finally:
        shutdown = getattr(backend, "shutdown", None)
        if shutdown is not None:
            shutdown()


def _mapping_of(sink: Any) -> Any:
    """Where pointer input lands: the selected monitor's geometry, handed to the input sink."""
    if sink is None:
        return None
    from app.remote.inject import ScreenMapping

    def apply(left: int, top: int, width: int, height: int) -> None:
        sink.set_mapping(ScreenMapping(left, top, width, height))

    return apply


def _gateway_publisher(alias: str | None) -> Any:
    """Gateway mode: publish the agent's port on the gateway ``alias`` (None in direct mode)."""
    if alias is None:
        return None

    def publish(local_port: int, on_port: Any) -> Any:
        from app.remote.gateway import GatewayPublisher, GatewaySettings

        publisher = GatewayPublisher(GatewaySettings(alias), local_port, on_port=on_port)
        publisher.start()
        return publisher

    return publish


def _organisation_keys() -> list[Any]:
    """The organisation's Ed25519 keys from the rolled-out settings (they verify technicians and policies)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.orgconfig import load_org_config

    keys = []
    for key in load_org_config().organisation_keys:
        try:
            keys.append(Ed25519PublicKey.from_public_bytes(key.ed25519_raw))
        except ValueError:
            continue  # only Ed25519 keys sign certificates
    return keys


def _run_headless(args: argparse.Namespace) -> int:
    """Unattended mode: the agent answers consent from an organisation-signed policy; no window."""
    if args.policy is None:
        print("podpora assist: --headless needs --policy FILE (an organisation-signed policy).", file=sys.stderr)
        return 2
    if not args.policy.is_file():
        print(f"podpora assist: the policy file {args.policy} does not exist.", file=sys.stderr)
        return 2
    import threading
    import time

    from app.orgconfig import load_org_config
    from app.remote.agent import DEFAULT_PORT, AgentCallbacks, AssistAgent, PolicyConsentProvider
    from app.remote.capture import MssScreenSource
    from app.remote.encode import FrameEncoder
    from app.remote.policy import load_policy

    grace = resume_grace(args.resume_grace, load_org_config())
    keys = _organisation_keys()
    policy = load_policy(args.policy.read_bytes(), keys, time.time())
    refused = refuse_root(args.allow_root)
    if refused is not None:
        return refused
    screen = MssScreenSource()
    sink: Any = None
    try:
        from app.remote.inject import PynputInputSink

        sink = PynputInputSink()
    except PodporaError as error:
        print(f"podpora assist: {error.user_message}", file=sys.stderr)
    ended = threading.Event()

    def on_state(state: str, granted: frozenset[str], paused: bool) -> None:
        print(f"podpora assist: {state}; granted: {', '.join(sorted(granted)) or 'nothing'}", flush=True)

    callbacks = AgentCallbacks(on_state=on_state, on_ended=lambda reason: print(f"podpora assist: ended: {reason}"))
    command = protocol_process_command(args.single_process)
    agent: Any
    if command is None:
        agent = AssistAgent(
            screen=screen,
            consent=PolicyConsentProvider(policy),
            input_sink=sink,
            encoder_factory=FrameEncoder,
            on_mapping=_mapping_of(sink),
            org_keys=keys,
            resume_grace=grace,
            callbacks=callbacks,
        )
    else:
        from app.remote.privsep import BrokeredAgent

        agent = BrokeredAgent(
            command=command,
            screen=screen,
            consent=PolicyConsentProvider(policy),
            input_sink=sink,
            on_mapping=_mapping_of(sink),
            org_keys=keys,
            resume_grace=grace,
            callbacks=callbacks,
        )
    port = agent.listen(args.listen or DEFAULT_PORT)
    publisher = _gateway_publisher(args.gateway)
    running = publisher(port, lambda number: print(f"podpora assist: session number {number}")) if publisher else None
    shown = agent.code()
    print(f"podpora assist: unattended on 127.0.0.1:{port}; session code {shown}", flush=True)
    if command is not None:
        print(f"podpora assist: network parsing in process {agent.child_pid}: {agent.confinement}", flush=True)
    try:
        while not ended.wait(1.0):
            # A code is single-use and short-lived: say each new one (the log is where an admin looks).
            code = agent.code()
            if code != shown:
                shown = code
                print(f"podpora assist: new session code {code}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        if running is not None:
            running.stop()
        agent.stop()
        agent.wait_stopped(5)
        for resource in (sink, screen):
            if resource is not None:
                resource.close()
    return 0
