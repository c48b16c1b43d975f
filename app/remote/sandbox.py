"""Confinement of the assist agent's protocol process (the network-facing half of the privsep split, T26).

The assist agent runs as two processes, like OpenSSH's privilege separation: a broker that holds the X display,
capture, input injection and the consent window, and a protocol process that parses everything the network
sends. The protocol process calls :func:`confine_protocol_process` first thing in its ``main``, before any
thread starts, so that a bug in a parser cannot reach what the broker holds. Four layers, each best-effort
(a kernel feature that is missing or refused is written into :attr:`Confinement.problems`, never raised):

1. **Namespaces** (``unshare`` of user, mount and network namespaces). The new network namespace has no
   interface up, so the process can reach no address, and abstract Unix sockets (the X server's
   ``@/tmp/.X11-unix/X0``, D-Bus) belong to the old namespace and are gone. Empty read-only tmpfs mounts hide
   the directories where path sockets live (``/tmp/.X11-unix`` always; ``/tmp``, ``/var/tmp`` and ``/run``
   when no readable root lies inside them): Landlock below ABI 9 does not control ``connect()`` to a path
   socket, so the session bus, ssh-agent or tmux would otherwise stay reachable. A second, nested user
   namespace then locks those mounts (mounts inherited into a less privileged namespace cannot be unmounted),
   so the process cannot lift the tmpfs off again even though it holds capabilities inside its namespace.
2. ``PR_SET_NO_NEW_PRIVS``: no setuid or file-capability binary can raise its privileges again.
3. **Landlock**: reads only beneath the readable roots (Python, its packages, the ``app`` package, the
   system libraries), writes nowhere but ``/dev/null``, no TCP bind or connect (ABI ≥ 4), and no abstract
   Unix socket or signal outside the sandbox (ABI ≥ 6).
4. **seccomp**: ``socket()`` fails with EPERM (and ``io_uring_setup``, which could create sockets its own way,
   and system calls of another ABI on the same kernel: i386 ``int 0x80`` and x32 on x86_64). The process needs
   no new socket: it accepts on the inherited listener, and ``socketpair()`` (asyncio's self-pipe) still
   works as it reaches nothing outside. This is what keeps the X server's path socket out of reach when the
   kernel refuses the namespaces: Landlock below ABI 9 does not control ``connect()`` to a path socket.

Sockets that are already open (the inherited listening socket, the socketpair to the broker, stdio) keep
working: every layer checks only new opens, binds and connects. The core-dump limit is set to 0 so that a
crash of the process that holds session keys leaves nothing on disk.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from app.errors import PodporaError

# unshare(2) and mount(2) flags (linux/sched.h, linux/mount.h).
CLONE_NEWNS: Final = 0x00020000
CLONE_NEWUSER: Final = 0x10000000
CLONE_NEWNET: Final = 0x40000000
MS_RDONLY: Final = 1
MS_NOSUID: Final = 2
MS_NODEV: Final = 4
MS_NOEXEC: Final = 8
MS_REC: Final = 16384
MS_PRIVATE: Final = 1 << 18
PR_SET_NO_NEW_PRIVS: Final = 38
PR_SET_DUMPABLE: Final = 4
PR_GET_DUMPABLE: Final = 3

# Landlock system calls: numbered from the unified table (since Linux 5.1 new calls share one number on
# every architecture), so x86_64 and aarch64 agree.
SYS_LANDLOCK_CREATE_RULESET: Final = 444
SYS_LANDLOCK_ADD_RULE: Final = 445
SYS_LANDLOCK_RESTRICT_SELF: Final = 446

# include/uapi/linux/landlock.h
LANDLOCK_CREATE_RULESET_VERSION: Final = 1 << 0
LANDLOCK_RULE_PATH_BENEATH: Final = 1
LANDLOCK_ACCESS_FS_EXECUTE: Final = 1 << 0
LANDLOCK_ACCESS_FS_WRITE_FILE: Final = 1 << 1
LANDLOCK_ACCESS_FS_READ_FILE: Final = 1 << 2
LANDLOCK_ACCESS_FS_READ_DIR: Final = 1 << 3
LANDLOCK_ACCESS_FS_MAKE_SYM: Final = 1 << 12  # the last right of ABI 1 (bits 0-12)
LANDLOCK_ACCESS_FS_REFER: Final = 1 << 13  # ABI 2
LANDLOCK_ACCESS_FS_TRUNCATE: Final = 1 << 14  # ABI 3
LANDLOCK_ACCESS_FS_IOCTL_DEV: Final = 1 << 15  # ABI 5
LANDLOCK_ACCESS_NET_BIND_TCP: Final = 1 << 0  # ABI 4
LANDLOCK_ACCESS_NET_CONNECT_TCP: Final = 1 << 1  # ABI 4
LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET: Final = 1 << 0  # ABI 6
LANDLOCK_SCOPE_SIGNAL: Final = 1 << 1  # ABI 6

#: The newest ABI whose rights this module knows; a newer kernel is used at this level (ABI 7 only added
#: audit-log flags, so it needs nothing more).
KNOWN_LANDLOCK_ABI: Final = 7

#: Rights a path-beneath rule may grant on a regular file (directory rights on a file are EINVAL).
_FILE_RIGHTS: Final = (
    LANDLOCK_ACCESS_FS_EXECUTE
    | LANDLOCK_ACCESS_FS_WRITE_FILE
    | LANDLOCK_ACCESS_FS_READ_FILE
    | LANDLOCK_ACCESS_FS_TRUNCATE
    | LANDLOCK_ACCESS_FS_IOCTL_DEV
)
_READ_RIGHTS: Final = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_EXECUTE

#: The X server's path sockets; always hidden when present.
X11_SOCKET_DIR: Final = Path("/tmp/.X11-unix")  # noqa: S108 - hidden, never written
#: Where path sockets of other services live (ssh-agent, tmux, the session and system bus, Wayland,
#: PipeWire); hidden unless a readable root lies inside (a frozen build unpacks itself under /tmp).
SOCKET_DIRS: Final = (Path("/tmp"), Path("/var/tmp"), Path("/run"))  # noqa: S108 - hidden, never written
#: Devices the process may read (random numbers for libraries that open them instead of getrandom()).
_READABLE_DEVICES: Final = (Path("/dev/urandom"), Path("/dev/random"), Path("/dev/zero"))
_DEV_NULL: Final = Path("/dev/null")


class SandboxError(PodporaError):
    """The sandbox was called wrongly (a programming error, never an unavailable kernel feature)."""


@dataclass(frozen=True)
class Confinement:
    """What :func:`confine_protocol_process` achieved (each field: did it hold)."""

    no_new_privs: bool
    namespaces: bool  # own user+mount+network namespaces (no network at all, X socket dir hidden)
    landlock_abi: int  # 0 when Landlock is unavailable
    filesystem_read_only: bool  # Landlock: reads only under the allowed roots, no writes anywhere (but /dev/null)
    tcp_denied: bool  # Landlock ABI>=4 net rules or the empty network namespace
    abstract_unix_scoped: bool  # Landlock ABI>=6 scope, or the network namespace (abstract sockets are per netns)
    problems: tuple[str, ...]  # why something did not hold (for the log)
    new_sockets_denied: bool = False  # seccomp: socket() fails, so no path socket (X, D-Bus, ssh-agent) either

    @property
    def complete(self) -> bool:
        """Every layer held."""
        return (
            self.no_new_privs
            and self.namespaces
            and self.landlock_abi > 0
            and self.filesystem_read_only
            and self.tcp_denied
            and self.abstract_unix_scoped
            and self.new_sockets_denied
            and not self.problems
        )

    def describe(self) -> str:
        """One line for the log: what held, what did not, and why."""
        parts = [
            f"no_new_privs={_yes_no(self.no_new_privs)}",
            f"namespaces={_yes_no(self.namespaces)}",
            f"landlock_abi={self.landlock_abi}",
            f"filesystem_read_only={_yes_no(self.filesystem_read_only)}",
            f"tcp_denied={_yes_no(self.tcp_denied)}",
            f"abstract_unix_scoped={_yes_no(self.abstract_unix_scoped)}",
            f"new_sockets_denied={_yes_no(self.new_sockets_denied)}",
        ]
        head = "protocol process confinement " + ("complete" if self.complete else "PARTIAL")
        line = f"{head}: {', '.join(parts)}"
        if self.problems:
            line += "; problems: " + "; ".join(self.problems)
        return line


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def default_readable_roots() -> list[Path]:
    """What Python and the protocol process's libraries need to read to import and run.

    The interpreter's prefixes (the venv and the base installation), every existing ``sys.path`` directory,
    the ``app`` package, the frozen bundle, the system libraries, the few files of ``/etc`` that the dynamic
    loader, OpenSSL and time zones read, this process's ``/proc/<pid>`` (not other processes'), the CPU and
    memory files of ``/proc`` and the CPU topology in ``/sys`` (numpy's BLAS sizes its threads by them).
    Call it in the process to be confined (its ``/proc/<pid>`` is among the roots).
    """
    roots: list[Path] = []
    candidates: list[str | Path] = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += [entry for entry in sys.path if entry]
    candidates.append(Path(__file__).resolve().parent.parent)  # the app package
    if getattr(sys, "frozen", False):
        meipass = getattr(sys, "_MEIPASS", None)
        if isinstance(meipass, str):
            candidates.append(meipass)
        candidates.append(Path(sys.executable).resolve().parent)
    candidates += ["/usr", "/lib", "/lib64", "/lib32", "/libx32"]
    candidates += [
        "/etc/ld.so.cache",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/ssl",
        "/etc/pki",
        "/etc/crypto-policies",
        "/etc/localtime",
        "/usr/share/zoneinfo",
        # The process's own /proc directory (the rule binds to /proc/<pid>, so other processes' command
        # lines stay out of reach) and the few system-wide files libraries size themselves by.
        Path("/proc/self").resolve(),
        "/proc/cpuinfo",
        "/proc/meminfo",
        "/proc/stat",
        "/proc/sys/vm/overcommit_memory",
        "/sys/devices/system/cpu",
    ]
    for candidate in candidates:
        path = Path(candidate)
        if path.exists() and path not in roots:
            roots.append(path)
    return roots


def confine_protocol_process(
    readable_roots: Sequence[Path] | None = None, *, allow_new_sockets: bool = False
) -> Confinement:
    """Take away the X server, the user's files, the network, signals and setuid from this process.

    Call it in a process with a single thread (``unshare`` of a user namespace needs that), before anything
    starts a thread. Never raises for a missing kernel feature: read the result (and log ``describe()``).
    ``allow_new_sockets`` leaves out the seccomp step (``socket()`` keeps working; the namespaces and Landlock
    still hold). Raises :class:`SandboxError` when ``readable_roots`` holds a relative path.
    """
    roots = default_readable_roots() if readable_roots is None else list(readable_roots)
    for root in roots:
        if not root.is_absolute():
            raise SandboxError(f"sandbox readable root must be an absolute path: {root!s}")
    problems: list[str] = []
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError) as exc:
        problems.append(f"core dumps: {exc}")
    if not sys.platform.startswith("linux"):
        problems.append(f"no confinement on {sys.platform}")
        return Confinement(False, False, 0, False, False, False, tuple(problems))

    libc = ctypes.CDLL(None, use_errno=True)
    namespaces = _enter_namespaces(libc, roots, problems)
    # Not dumpable: other processes of the same user cannot ptrace it or read its memory through /proc (it holds
    # the session's keys), and it leaves no core dump.  Only after the namespaces: the /proc files of a process
    # that is not dumpable belong to root, so an ordinary user could no longer write its own uid_map.
    if libc.prctl(PR_SET_DUMPABLE, ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        problems.append(f"not dumpable: {_errno_text()}")
    # Every argument as unsigned long: prctl is variadic, and the kernel refuses non-zero unused arguments.
    unused = ctypes.c_ulong(0)
    no_new_privs = libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), unused, unused, unused) == 0
    if not no_new_privs:
        problems.append(f"no_new_privs: {_errno_text()}")
    landlock = _apply_landlock(libc, roots, problems)
    new_sockets_denied = False
    if not allow_new_sockets:
        new_sockets_denied = _deny_new_sockets(libc, problems) if no_new_privs else False
        if not no_new_privs:
            problems.append("seccomp: needs no_new_privs")
    return Confinement(
        no_new_privs=no_new_privs,
        namespaces=namespaces,
        landlock_abi=landlock.abi,
        filesystem_read_only=landlock.filesystem,
        tcp_denied=landlock.tcp or namespaces,
        abstract_unix_scoped=landlock.scoped or namespaces,
        problems=tuple(problems),
        new_sockets_denied=new_sockets_denied,
    )


def _errno_text() -> str:
    code = ctypes.get_errno()
    return f"{errno.errorcode.get(code, str(code))} ({os.strerror(code)})"


def _enter_namespaces(libc: ctypes.CDLL, roots: Sequence[Path], problems: list[str]) -> bool:
    """Own user, mount and network namespaces, socket directories hidden and locked; False if any step failed."""
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) != 0:
        # EINVAL: the process already has threads; EPERM/ENOSPC: refused by sysctl, AppArmor or a limit.
        problems.append(f"namespaces: unshare refused: {_errno_text()}")
        return False
    try:
        _map_ids_to_themselves(uid, gid)
    except OSError as exc:
        problems.append(f"namespaces: id maps: {exc}")
        return False
    slash = b"/"
    if libc.mount(None, slash, None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None) != 0:
        problems.append(f"namespaces: making / private: {_errno_text()}")
        return False
    held = True
    for directory in _directories_to_hide(roots):
        flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
        if libc.mount(b"none", os.fsencode(directory), b"tmpfs", ctypes.c_ulong(flags), b"size=4k,mode=0555") != 0:
            problems.append(f"namespaces: hiding {directory}: {_errno_text()}")
            held = False
    # A nested user namespace makes the mounts above "locked" (they came from a more privileged mount
    # namespace), so the capabilities this process holds in its own namespace cannot unmount them.
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        problems.append(f"namespaces: locking the mounts: {_errno_text()}")
        return False
    try:
        _map_ids_to_themselves(uid, gid)
    except OSError as exc:
        problems.append(f"namespaces: nested id maps: {exc}")
        return False
    return held


def _map_ids_to_themselves(uid: int, gid: int) -> None:
    """Map the ids to themselves in the new user namespace (setgroups must be denied before the gid map)."""
    Path("/proc/self/setgroups").write_text("deny", encoding="ascii")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1", encoding="ascii")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1", encoding="ascii")


def _directories_to_hide(roots: Sequence[Path]) -> list[Path]:
    """The socket directories that exist and hold no readable root (a root inside would vanish with them)."""
    resolved_roots = [_resolved(root) for root in roots]
    hide: list[Path] = []
    for directory in (X11_SOCKET_DIR, *SOCKET_DIRS):
        if not directory.is_dir() or directory.is_symlink():
            continue
        real = _resolved(directory)
        if directory != X11_SOCKET_DIR and any(root == real or real in root.parents for root in resolved_roots):
            continue
        hide.append(directory)
    return hide


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


@dataclass(frozen=True)
class _LandlockResult:
    abi: int
    filesystem: bool
    tcp: bool
    scoped: bool


class _PathBeneathAttr(ctypes.Structure):
    """``struct landlock_path_beneath_attr`` (packed: 12 bytes)."""

    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


class _RulesetAttr(ctypes.Structure):
    """``struct landlock_ruleset_attr`` as of ABI 6; older ABIs get a prefix of it (its size passed)."""

    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


def landlock_abi() -> int:
    """The Landlock ABI version the running kernel offers; 0 when Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):
        return 0
    return _landlock_abi(ctypes.CDLL(None, use_errno=True))


def _landlock_abi(libc: ctypes.CDLL) -> int:
    version = int(
        libc.syscall(
            ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET),
            None,
            ctypes.c_size_t(0),
            ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION),
        )
    )
    return max(version, 0)


def _handled_fs(abi: int) -> int:
    handled = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1  # bits 0-12
    if abi >= 2:
        handled |= LANDLOCK_ACCESS_FS_REFER
    if abi >= 3:
        handled |= LANDLOCK_ACCESS_FS_TRUNCATE
    if abi >= 5:
        handled |= LANDLOCK_ACCESS_FS_IOCTL_DEV
    return handled


def _apply_landlock(libc: ctypes.CDLL, roots: Sequence[Path], problems: list[str]) -> _LandlockResult:
    none = _LandlockResult(0, False, False, False)
    abi = _landlock_abi(libc)
    if abi == 0:
        problems.append(f"landlock unavailable: {_errno_text()}")
        return none
    level = min(abi, KNOWN_LANDLOCK_ABI)
    handled_fs = _handled_fs(level)
    handled_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP if level >= 4 else 0
    scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL if level >= 6 else 0
    ruleset_fd = _create_ruleset(libc, handled_fs, handled_net, scoped)
    if ruleset_fd < 0 and scoped:
        # Some vendor kernels claim ABI 6 without every scope flag: keep the filesystem and TCP rules.
        problems.append(f"landlock: scopes refused ({_errno_text()}), going on without them")
        scoped = 0
        ruleset_fd = _create_ruleset(libc, handled_fs, handled_net, scoped)
    if ruleset_fd < 0:
        problems.append(f"landlock: creating the ruleset: {_errno_text()}")
        return _LandlockResult(abi, False, False, False)
    try:
        for root in roots:
            _allow(libc, ruleset_fd, root, _READ_RIGHTS & handled_fs, problems)
        for device in _READABLE_DEVICES:
            _allow(libc, ruleset_fd, device, LANDLOCK_ACCESS_FS_READ_FILE, problems)
        null_rights = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE
        _allow(libc, ruleset_fd, _DEV_NULL, null_rights & handled_fs, problems)
        restricted = libc.syscall(ctypes.c_long(SYS_LANDLOCK_RESTRICT_SELF), ruleset_fd, ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset_fd)
    if not restricted:
        problems.append(f"landlock: restrict_self: {_errno_text()}")
        return _LandlockResult(abi, False, False, False)
    return _LandlockResult(abi, True, handled_net != 0, scoped != 0)


def _create_ruleset(libc: ctypes.CDLL, handled_fs: int, handled_net: int, scoped: int) -> int:
    attr = _RulesetAttr(handled_fs, handled_net, scoped)
    # Pass the size of the ABI filled in: an older kernel refuses a larger struct with non-zero extra fields.
    size = 24 if scoped else 16 if handled_net else 8
    return int(
        libc.syscall(
            ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET),
            ctypes.byref(attr),
            ctypes.c_size_t(size),
            ctypes.c_uint32(0),
        )
    )


def _allow(libc: ctypes.CDLL, ruleset_fd: int, path: Path, rights: int, problems: list[str]) -> None:
    """Allow ``rights`` beneath ``path`` (file rights only when it is not a directory); skip it if missing."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    except OSError as exc:
        problems.append(f"landlock: opening {path}: {exc}")
        return
    try:
        if not Path(path).is_dir():
            rights &= _FILE_RIGHTS
        attr = _PathBeneathAttr(rights, fd)
        result = libc.syscall(
            ctypes.c_long(SYS_LANDLOCK_ADD_RULE),
            ruleset_fd,
            ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
            ctypes.byref(attr),
            ctypes.c_uint32(0),
        )
        if result != 0:
            problems.append(f"landlock: rule for {path}: {_errno_text()}")
    finally:
        os.close(fd)


# seccomp (linux/seccomp.h, linux/filter.h, linux/audit.h).
PR_SET_SECCOMP: Final = 22
SECCOMP_MODE_FILTER: Final = 2
SECCOMP_RET_ALLOW: Final = 0x7FFF0000
SECCOMP_RET_ERRNO: Final = 0x00050000
_BPF_LD_W_ABS: Final = 0x20
_BPF_JEQ_K: Final = 0x15
_BPF_JGE_K: Final = 0x35
_BPF_RET_K: Final = 0x06
_SECCOMP_DATA_NR: Final = 0  # offsetof(struct seccomp_data, nr)
_SECCOMP_DATA_ARCH: Final = 4  # offsetof(struct seccomp_data, arch)
_X32_SYSCALL_BIT: Final = 0x40000000
_SYS_IO_URING_SETUP: Final = 425  # unified table, every architecture


@dataclass(frozen=True)
class _SeccompArch:
    audit_arch: int
    socket_nr: int
    has_x32: bool


#: ``socket`` differs per architecture (it predates the unified table).
_SECCOMP_ARCHES: Final = {
    "x86_64": _SeccompArch(audit_arch=0xC000003E, socket_nr=41, has_x32=True),
    "aarch64": _SeccompArch(audit_arch=0xC00000B7, socket_nr=198, has_x32=False),
}


class _SockFilter(ctypes.Structure):
    """``struct sock_filter``: one classic BPF instruction."""

    _fields_ = (
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    )


class _SockFprog(ctypes.Structure):
    """``struct sock_fprog``: the filter program handed to ``prctl(PR_SET_SECCOMP)``."""

    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter)))


def _socket_filter(arch: _SeccompArch) -> list[tuple[int, int, int, int]]:
    """The BPF program: another ABI, x32, socket() and io_uring_setup() get EPERM; the rest is allowed."""
    to_deny = -1  # a jump to the final "deny" instruction, resolved below
    program = [
        (_BPF_LD_W_ABS, 0, 0, _SECCOMP_DATA_ARCH),
        (_BPF_JEQ_K, 1, 0, arch.audit_arch),  # this ABI: skip the next instruction
        (_BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM),
        (_BPF_LD_W_ABS, 0, 0, _SECCOMP_DATA_NR),
    ]
    if arch.has_x32:
        program.append((_BPF_JGE_K, to_deny, 0, _X32_SYSCALL_BIT))
    program.append((_BPF_JEQ_K, to_deny, 0, arch.socket_nr))
    program.append((_BPF_JEQ_K, to_deny, 0, _SYS_IO_URING_SETUP))
    program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    deny_at = len(program)
    program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM))
    return [
        (code, deny_at - index - 1 if jump_true == to_deny else jump_true, jump_false, k)
        for index, (code, jump_true, jump_false, k) in enumerate(program)
    ]


def _deny_new_sockets(libc: ctypes.CDLL, problems: list[str]) -> bool:
    arch = _SECCOMP_ARCHES.get(os.uname().machine)
    if arch is None:
        problems.append(f"seccomp: no filter for {os.uname().machine}")
        return False
    program = _socket_filter(arch)
    instructions = (_SockFilter * len(program))(*(_SockFilter(*instruction) for instruction in program))
    fprog = _SockFprog(len(program), instructions)
    unused = ctypes.c_ulong(0)
    if libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog), unused, unused) != 0:
        problems.append(f"seccomp: {_errno_text()}")
        return False
    return True
