"""Static security gates over the source tree (SECURITY-BAR.md T51, and the static parts of T01, T10, T23).

Each gate parses the code (``ast``) rather than grepping text, so comments and docstrings that *mention* a
forbidden thing (like this one) do not trip it, and a gate names the file and line it objects to.

pip-audit is not a gate here: it was tried with ``pip-audit --vulnerability-service pypi`` against the
project's pinned environment and every one of the 72 dependencies came back "not found on PyPI and could not
be audited", because the package index reachable from these machines does not serve PyPI's JSON API
(``https://pypi.org/pypi/<name>/<version>/json`` answers 404), and the OSV service is not reachable at all.
A "No known vulnerabilities found" from that run would be a lie, so the command is documented in
docs/security.md for machines with internet access instead.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
PARAMIKO_ADAPTERS = {APP / "remote" / "ssh.py", APP / "remote" / "tunnel.py"}


@dataclass(frozen=True)
class Module:
    """One parsed source file under app/."""

    path: Path
    tree: ast.Module

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


@cache
def app_modules() -> tuple[Module, ...]:
    modules = []
    for path in sorted(APP.rglob("*.py")):
        modules.append(Module(path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    return tuple(modules)


def calls(module: Module) -> Iterator[ast.Call]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            yield node


def dotted_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted_name(node.value)}.{node.attr}"
    return ""


def imported_modules(module: Module) -> Iterator[tuple[str, ast.AST]]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_gates_see_the_source_tree() -> None:
    # Guards every gate below against passing vacuously because nothing was parsed.
    assert len(app_modules()) >= 5
    assert any(m.path.name == "errors.py" for m in app_modules())


def shell_offences(modules: Iterable[Module]) -> list[str]:
    """T23/T51: commands are argv lists; nothing goes through a shell."""
    shell_helpers = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"}
    offences = []
    for module in modules:
        for call in calls(module):
            for keyword in call.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    offences.append(f"{module.where(call)} shell={ast.unparse(keyword.value)}")
            if dotted_name(call.func) in shell_helpers:
                offences.append(f"{module.where(call)} {dotted_name(call.func)}()")
    return offences


def host_key_policy_offences(modules: Iterable[Module]) -> list[str]:
    """T01/T51: unknown host keys are decided by the technician, never accepted silently."""
    forbidden = {"AutoAddPolicy", "WarningPolicy"}
    offences = []
    for module in modules:
        for node in ast.walk(module.tree):
            name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
            if name in forbidden:
                offences.append(f"{module.where(node)} {name}")
            if isinstance(node, ast.alias) and node.name in forbidden:
                offences.append(f"{module.path.relative_to(ROOT)} imports {node.name}")
    return offences


def paramiko_import_offences(modules: Iterable[Module]) -> list[str]:
    """paramiko (and its server-mode code with its CVE history) stays behind the SSH adapter."""
    return [
        module.where(node)
        for module in modules
        if module.path not in PARAMIKO_ADAPTERS
        for name, node in imported_modules(module)
        if name == "paramiko" or name.startswith("paramiko.")
    ]


def pickle_offences(modules: Iterable[Module]) -> list[str]:
    """T51 (ruff S301): nothing deserialises with code execution; remote data is msgpack/JSON only."""
    forbidden = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "jsonpickle"}
    return [
        f"{module.where(node)} {name}"
        for module in modules
        for name, node in imported_modules(module)
        if name.split(".")[0] in forbidden
    ]


def eval_offences(modules: Iterable[Module]) -> list[str]:
    """Remote data never becomes code: no eval/exec/compile/__import__ of anything in app/."""
    forbidden = {"eval", "exec", "compile", "__import__", "builtins.eval", "builtins.exec"}
    return [
        f"{module.where(call)} {dotted_name(call.func)}()"
        for module in modules
        for call in calls(module)
        if dotted_name(call.func) in forbidden
    ]


def unsafe_loader_offences(modules: Iterable[Module]) -> list[str]:
    """yaml.load runs attacker-chosen constructors; extractall writes attacker-chosen paths (Zip Slip)."""
    offences = []
    for module in modules:
        for call in calls(module):
            name = dotted_name(call.func)
            if name.endswith("yaml.load") or name == "yaml.unsafe_load":
                offences.append(f"{module.where(call)} {name}")
            if name.endswith(".extractall"):
                offences.append(f"{module.where(call)} {name} (check every member's path instead: Zip Slip)")
    return offences


def tls_offences(modules: Iterable[Module]) -> list[str]:
    """Ticket connectors talk HTTPS; ``verify=False`` would let anyone on the path read the case log."""
    return [
        module.where(call)
        for module in modules
        for call in calls(module)
        for keyword in call.keywords
        if keyword.arg == "verify" and isinstance(keyword.value, ast.Constant) and keyword.value.value is False
    ]


SECRET_WORDS = ("secret", "token", "password", "passphrase", "mac", "hmac", "proof", "confirmation")


def _secret_like(node: ast.AST) -> bool:
    name = dotted_name(node).rsplit(".", 1)[-1].lower()
    return bool(name) and any(name == w or name.endswith("_" + w) or name.startswith(w + "_") for w in SECRET_WORDS)


def timing_offences(modules: Iterable[Module]) -> list[str]:
    """T10: ``==`` on a secret, token or MAC leaks its prefix through timing; use hmac.compare_digest."""
    offences = []
    for module in modules:
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Compare) or not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                continue
            sides = [node.left, *node.comparators]
            # Comparing with None or a literal (a state, an empty string) reveals nothing about the secret.
            if any(isinstance(side, ast.Constant) for side in sides):
                continue
            if any(_secret_like(side) for side in sides):
                offences.append(f"{module.where(node)} {ast.unparse(node)}")
    return offences


# Each gate with a small planted offence it must catch, so no gate can pass by never matching anything.
GATES: dict[str, tuple[Callable[[Iterable[Module]], list[str]], str]] = {
    "shell": (shell_offences, "import subprocess\nsubprocess.run(cmd, shell=True)\n"),
    "os.system": (shell_offences, "import os\nos.system('ls')\n"),
    "host key policy": (host_key_policy_offences, "client.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n"),
    "paramiko import": (paramiko_import_offences, "from paramiko import SSHClient\n"),
    "pickle": (pickle_offences, "import pickle\n"),
    "eval": (eval_offences, "value = eval(remote_text)\n"),
    "extractall": (unsafe_loader_offences, "archive.extractall(target)\n"),
    "tls": (tls_offences, "httpx.Client(verify=False)\n"),
    "timing": (timing_offences, "ok = received_mac == expected_mac\n"),
}


@pytest.mark.parametrize("gate", GATES)
def test_gate_holds_for_app(gate: str) -> None:
    find, _ = GATES[gate]
    assert find(app_modules()) == []


@pytest.mark.parametrize("gate", GATES)
def test_gate_catches_a_planted_offence(gate: str) -> None:
    find, source = GATES[gate]
    planted = Module(APP / "remote" / "planted.py", ast.parse(source))
    assert len(find([planted])) == 1


def test_timing_gate_allows_constant_comparisons() -> None:
    harmless = Module(APP / "x.py", ast.parse("if token is None or token == '':\n    pass\n"))
    assert timing_offences([harmless]) == []


def test_every_module_has_a_docstring() -> None:
    missing = [str(m.path.relative_to(ROOT)) for m in app_modules() if not ast.get_docstring(m.tree)]
    assert missing == []


def _minimum(requirement: str) -> Version | None:
    specifier = SpecifierSet(str(Requirement(requirement).specifier))
    lower = [Version(spec.version) for spec in specifier if spec.operator in (">=", "==", "~=")]
    return max(lower) if lower else None


def _dependency(name: str) -> str:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    for line in project["dependencies"]:
        if Requirement(line).name.lower() == name:
            return str(line)
    raise AssertionError(f"{name} is not a dependency in pyproject.toml")


@pytest.mark.parametrize(
    ("package", "floor", "why"),
    [
        ("paramiko", "3.4", "strict KEX against Terrapin (CVE-2023-48795)"),
        ("cryptography", "42", "OpenSSL fixes and the AEAD/Ed25519 APIs the session and journal use"),
    ],
)
def test_security_critical_dependencies_have_a_minimum_version(package: str, floor: str, why: str) -> None:
    minimum = _minimum(_dependency(package))
    assert minimum is not None, f"{package} has no minimum version ({why})"
    assert minimum >= Version(floor), f"{package} must be pinned >= {floor}: {why}"


def test_installed_paramiko_meets_the_floor() -> None:
    """T04/T51: the paramiko that actually runs must have strict KEX, whatever pyproject says."""
    import paramiko

    assert Version(paramiko.__version__) >= Version("3.4")


def test_ruff_security_rules_are_enabled_and_not_switched_off() -> None:
    lint = pyproject()["tool"]["ruff"]["lint"]  # type: ignore[index]
    assert "S" in lint["select"]
    # These are the rules T51 names; ignoring one (globally or for app/) would silently reopen the hole.
    essential = {"S507", "S602", "S604", "S301", "S105", "S106", "S324", "S506", "S202"}
    ignored = set(lint.get("ignore", []))
    for pattern, rules in lint.get("per-file-ignores", {}).items():
        if pattern.startswith("app"):
            ignored |= set(rules)
    assert essential.isdisjoint(ignored) and "S" not in ignored


def test_ruff_security_rules_pass_on_app() -> None:
    # Run with the project's own configuration (its S603/S607 ignores for argv-list subprocess calls
    # stand) and keep only the security findings: other lint findings are the ordinary lint job's business.
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "error:" not in result.stderr.lower(), result.stderr
    security_findings = [line for line in result.stdout.splitlines() if re.search(r": S\d{3} ", line)]
    assert security_findings == []


# --- the wire schema: what the protocol cannot even express ----------------------------------------------------


def _message_classes() -> list[type]:
    from app.remote import protocol

    return list(protocol.Message.__args__)  # type: ignore[attr-defined]


def test_no_message_can_blank_the_screen_or_lock_local_input() -> None:
    """T19: no "privacy mode", black screen or input lock exists (the tech-support-scam toolkit)."""
    forbidden = ("blank", "black", "privacy", "lock", "block", "hide", "invisible", "unattended")
    names = [cls.__name__.lower() for cls in _message_classes()]
    fields = [f"{cls.__name__}.{name}" for cls in _message_classes() for name in cls.__struct_fields__]
    assert [n for n in names + [f.lower() for f in fields] if any(word in n for word in forbidden)] == []


def test_no_message_field_carries_a_password() -> None:
    """T27: elevation is the user's own OS prompt; no protocol field can carry a password or key."""
    forbidden = ("password", "passwd", "passphrase", "secret", "private_key", "credential", "token")
    fields = [f"{cls.__name__}.{name}" for cls in _message_classes() for name in cls.__struct_fields__]
    assert len(fields) > 20  # the schema was really read
    assert [f for f in fields if any(word in f.lower() for word in forbidden)] == []


def test_nothing_installs_itself_to_start_again() -> None:
    """T20: no persistence: app/ never writes autostart entries, systemd user units or crontabs."""
    markers = ("autostart", "systemd/user", "crontab", "launchagents", "currentversion\\\\run")
    offences = [
        f"{module.where(node)} {node.value!r}"
        for module in app_modules()
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(marker in node.value.lower() for marker in markers)
        and not (isinstance(node, ast.Constant) and node is _docstring_node(module, node))
    ]
    assert offences == []


def _docstring_node(module: Module, node: ast.AST) -> ast.AST | None:
    """The node itself when it is a docstring (docstrings may mention what the code must not do)."""
    for owner in ast.walk(module.tree):
        if isinstance(owner, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = owner.body
            if body and isinstance(body[0], ast.Expr) and body[0].value is node:
                return node
    return None
