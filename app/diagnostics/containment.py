"""Fork-bomb containment: every script run gets its own process-count limit, set up on the target.

The runner's fixed bootstrap (see :mod:`app.diagnostics.runner`) runs on the machine being checked, over SSH
or locally, so the containment is POSIX sh that is part of that fixed string; the console's Python never
touches the target's cgroups.  Nothing from a script or a parameter is interpolated into it: the only value
formatted in is :data:`MAX_PROCESSES`, a constant of this module.

What the bootstrap tries, in order, before the interpreter starts:

1. **cgroup v2** (``/sys/fs/cgroup/cgroup.controllers`` lists ``pids``): a new group ``podpora-PID`` under
   the nearest ancestor of the bootstrap's own group whose ``cgroup.subtree_control`` enables ``pids`` and
   where the account may create one (root anywhere; an ordinary user inside the subtree systemd delegates to
   ``user@UID.service``).  A group that holds processes cannot have controller-enabled children, hence a
   sibling, not a child.
2. **cgroup v1** (``/sys/fs/cgroup/pids``, writable: root): ``podpora-PID`` under the bootstrap's own pids group.
3. **systemd**: ``systemd-run --user --scope -p TasksMax=N`` when a user manager answers (an ordinary user's
   SSH session on a systemd desktop, whose session scope it may not leave by itself).
4. Otherwise **RLIMIT_NPROC** (``ulimit``) at the account's current task count plus ``N``: the per-user
   limit is all there is, root ignores it, and a child that calls ``setsid`` survives cancel.  The result says
   so (:attr:`Containment.limited`).

The group's ``pids.max`` is :data:`MAX_PROCESSES`; the bootstrap (outside the group, so it can always fork)
moves only the script's subshell into it.  When the script ends, on timeout and cancel (``TERM`` to the
process group, which the bootstrap traps) and when the link is lost (the watchdog), the bootstrap sets
``pids.max`` to 0 (nothing in the group can fork any more), writes ``cgroup.kill`` where the kernel has it
(v2, Linux 5.14+), ``KILL``\\s every pid in ``cgroup.procs`` until it is empty, and removes the group.  A
child that called ``setsid`` left the process group, not the cgroup, so it dies too.

The bootstrap reports what it set up on stdout before the script starts (``PODPORA-CONTAINMENT METHOD N``),
and, when the limit refused forks, ``PODPORA-PIDS-REFUSED COUNT`` before it removes the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The most processes (and threads) one script run may have at once.  Diagnostics start a handful of
#: helpers (``ip``, ``systemctl``, a pipeline); 64 leaves room for that and stops a fork bomb long before
#: the machine notices.
MAX_PROCESSES = 64

CONTAINMENT_MARKER = b"PODPORA-CONTAINMENT "
REFUSED_MARKER = b"PODPORA-PIDS-REFUSED "
#: Methods that bound the script's processes and let cancel kill all of them.
FULL_METHODS = ("cgroup-v2", "cgroup-v1", "systemd")
METHODS = (*FULL_METHODS, "rlimit", "none")

#: Shell functions and setup of the bootstrap (POSIX sh, dash/bash/busybox).  ``cg`` ends up as the group
#: directory, or empty.  ``cg_kill`` must stay safe to run twice (the watchdog and the bootstrap may both).
#: Compound commands that read a file are guarded with ``[ -r ]`` first: POSIX lets a non-interactive shell
#: exit on a redirection error of a compound command.
SETUP = (
    "cg=; "
    "cg_try() { "
    '  [ -d "$1" ] || return 1; d="$1/podpora-$$"; '
    '  if [ -d "$d" ]; then rmdir "$d" 2>/dev/null; fi; mkdir "$d" 2>/dev/null || return 1; '
    '  if { echo {max} >"$d/pids.max"; } 2>/dev/null && [ -w "$d/cgroup.procs" ]; then cg=$d; return 0; fi; '
    '  rmdir "$d" 2>/dev/null; return 1; '
    "}; "
    "cg_v2() { "
    "  m=/sys/fs/cgroup; [ -r $m/cgroup.controllers ] || return 1; "
    "  read -r c <$m/cgroup.controllers || return 1; "
    '  case " $c " in *" pids "*) ;; *) return 1;; esac; '
    '  p=; while IFS=: read -r h c2 q; do [ "$h" = 0 ] && p=${q:-/} && break; done </proc/self/cgroup; '
    '  [ -n "$p" ] || return 1; '
    '  if [ "$p" = / ]; then p=; else p=${p%/*}; fi; '
    "  while :; do "
    '    if [ -r "$m$p/cgroup.subtree_control" ] && read -r c <"$m$p/cgroup.subtree_control"; then '
    '      case " $c " in *" pids "*) cg_try "$m$p" && return 0;; esac; '
    "    fi; "
    '    [ -n "$p" ] || return 1; p=${p%/*}; '
    "  done; "
    "}; "
    "cg_v1() { "
    "  m=/sys/fs/cgroup/pids; [ -w $m/cgroup.procs ] || return 1; "
    "  p=; while IFS=: read -r h c2 q; do "
    '    case ",$c2," in *,pids,*) p=$q; break;; esac; '
    "  done </proc/self/cgroup; "
    '  [ "$p" = / ] && p=; cg_try "$m$p"; '
    "}; "
    "cg_kill() { "
    '  sd_kill; [ -n "$cg" ] && [ -d "$cg" ] || return 0; '
    '  { echo 0 >"$cg/pids.max"; echo 1 >"$cg/cgroup.kill"; } 2>/dev/null; '
    "  n=0; while [ $n -lt 120 ]; do "
    '    left=; if [ -r "$cg/cgroup.procs" ]; then '
    '      while read -r k; do left=1; kill -KILL "$k" 2>/dev/null; done <"$cg/cgroup.procs"; fi; '
    '    [ -z "$left" ] && break; n=$((n+1)); [ $n -gt 100 ] && sleep 1; '
    "  done; "
    '  r=0; if [ -r "$cg/pids.events" ]; then read -r e r <"$cg/pids.events" || r=0; fi; '
    '  rmdir "$cg" 2>/dev/null; cg=; '
    '  [ "${r:-0}" != 0 ] && echo "PODPORA-PIDS-REFUSED $r" 2>/dev/null; '
    "}; "
    "sd_kill() { "
    '  [ "$how" = systemd ] || return 0; how=none; '
    '  systemctl --user kill --signal=KILL "podpora-$$.scope" >/dev/null 2>&1; '
    "}; "
    "cg_v2 || cg_v1; "
    "how=none; "
    'if [ -z "$cg" ] && command -v systemd-run >/dev/null 2>&1 '
    "  && systemd-run --user --scope --quiet -p TasksMax={max} true >/dev/null 2>&1; then how=systemd; fi; "
).replace("{max}", str(MAX_PROCESSES))

#: Runs in the script's subshell (its own process, before ``exec "$@"``): joins the group, or falls back,
#: and says which on stdout.  ``echo 0`` moves the writing process itself.  The fallback counts the account's
#: tasks because RLIMIT_NPROC counts all of them, not just this script's.
ENTER = (
    'if [ -n "$cg" ] && { echo 0 >"$cg/cgroup.procs"; } 2>/dev/null; then '
    '  case "$cg" in /sys/fs/cgroup/pids/*) v=cgroup-v1;; *) v=cgroup-v2;; esac; '
    '  echo "PODPORA-CONTAINMENT $v {max}"; '
    "elif [ $how = systemd ]; then "
    '  echo "PODPORA-CONTAINMENT systemd {max}"; '
    '  set -- systemd-run --user --scope --quiet --collect -p TasksMax={max} --unit="podpora-$$" -- "$@"; '
    'elif [ "$(id -u)" = 0 ]; then echo "PODPORA-CONTAINMENT none 0"; '
    "else "
    '  t=0; for k in /proc/[0-9]*/task/[0-9]*; do [ -O "$k" ] && t=$((t+1)); done; t=$((t+{max})); '
    '  if ulimit -u $t 2>/dev/null || ulimit -p $t 2>/dev/null; then echo "PODPORA-CONTAINMENT rlimit {max}"; '
    '  else echo "PODPORA-CONTAINMENT none 0"; fi; '
    "fi; "
).replace("{max}", str(MAX_PROCESSES))


@dataclass(frozen=True)
class Containment:
    """How one run's processes were bounded on the target, as the bootstrap reported it."""

    method: str
    max_processes: int
    refused_forks: int = 0

    @property
    def limited(self) -> bool:
        """True when no cgroup bounded the run: a fork bomb or a ``setsid`` child may get away."""
        return self.method not in FULL_METHODS

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "max_processes": self.max_processes,
            "limited": self.limited,
            "refused_forks": self.refused_forks,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Containment:
        method = str(data.get("method", "none"))
        return cls(
            method if method in METHODS else "none",
            int(data.get("max_processes") or 0),
            int(data.get("refused_forks") or 0),
        )


def parse_containment(line: bytes) -> Containment | None:
    """The bootstrap's ``PODPORA-CONTAINMENT METHOD N`` line, or ``None`` when it is not one."""
    fields = line[len(CONTAINMENT_MARKER) :].split()
    if not line.startswith(CONTAINMENT_MARKER) or len(fields) != 2:
        return None
    method = fields[0].decode("ascii", "replace")
    if method not in METHODS or not fields[1].isdigit():
        return None
    return Containment(method, int(fields[1]))


def parse_refused(line: bytes) -> int | None:
    """The count from the bootstrap's ``PODPORA-PIDS-REFUSED N`` line, or ``None``."""
    value = line[len(REFUSED_MARKER) :].strip()
    if not line.startswith(REFUSED_MARKER) or not value.isdigit():
        return None
    return int(value)
