"""The organisation's system-wide assist settings: defaults, a full valid file, and one error per bad key."""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from app import orgconfig
from app.orgconfig import DEFAULT, OrgConfigError, load_org_config

REPO = Path(__file__).resolve().parents[2]


def ed25519_line(comment: str = "it-signing") -> tuple[str, bytes]:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{line} {comment}", raw


def ecdsa_line() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


@pytest.fixture
def rollout(tmp_path: Path) -> dict[str, object]:
    """A folder laid out like /etc/podpora: gateway key, logo, and the keys' public lines."""
    folder = tmp_path / "etc-podpora"
    folder.mkdir()
    (folder / "gateway_ed25519").write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    org_line, org_raw = ed25519_line()
    host_line, _ = ed25519_line("gw-host")
    return {"folder": folder, "org_line": org_line, "org_raw": org_raw, "host_line": host_line}


def valid_text(rollout: dict[str, object]) -> str:
    return f"""
language = "cs"

[organisation]
name = "Example s.r.o."
public_keys = ["{rollout["org_line"]}"]

[gateway]
host = "gw.example.org"
port = 2222
user = "podpora"
key_file = "gateway_ed25519"
host_keys = ["{rollout["host_line"]}", "{ecdsa_line()}"]

[branding]
name = "Example IT Help"
logo = "{rollout["folder"]}/logo.png"

[session]
resume_grace_seconds = 90
"""


def write(folder: Path, text: str, mode: int = 0o644) -> Path:
    path = folder / "assist.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_org_config(tmp_path / "nothing-here.toml")
    assert config == DEFAULT
    assert config.gateway is None
    assert config.organisation_keys == ()
    assert config.language is None
    assert config.branding.name == "Podpora"
    assert config.branding.logo is None


def test_env_override_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'language = "sk"\n')
    monkeypatch.setenv("PODPORA_ORG_CONFIG", str(path))
    assert orgconfig.config_path() == path
    config = load_org_config()
    assert config.language == "sk"
    assert config.source == path


def test_system_paths_per_platform() -> None:
    assert orgconfig.system_config_path("linux", {}) == PurePosixPath("/etc/podpora/assist.toml")
    assert orgconfig.system_config_path("darwin", {}) == PurePosixPath(
        "/Library/Application Support/Podpora/assist.toml"
    )
    assert orgconfig.system_config_path("win32", {"ProgramData": r"D:\PD"}) == PureWindowsPath(
        r"D:\PD\Podpora\assist.toml"
    )
    assert orgconfig.system_config_path("win32", {}) == PureWindowsPath(r"C:\ProgramData\Podpora\assist.toml")
    if sys.platform.startswith("linux"):
        assert orgconfig.config_path({}) == Path("/etc/podpora/assist.toml")
    assert orgconfig.config_path({"PODPORA_ORG_CONFIG": "/srv/x.toml"}) == Path("/srv/x.toml")


def test_valid_file_is_read_completely(rollout: dict[str, object]) -> None:
    folder = rollout["folder"]
    assert isinstance(folder, Path)
    config = load_org_config(write(folder, valid_text(rollout)))
    assert config.language == "cs"
    assert config.organisation_name == "Example s.r.o."
    assert len(config.organisation_keys) == 1
    org_key = config.organisation_keys[0]
    assert org_key.ed25519_raw == rollout["org_raw"]
    assert org_key.comment == "it-signing"
    assert str(rollout["org_line"]).startswith(org_key.line)
    assert org_key.fingerprint.startswith("SHA256:") and "=" not in org_key.fingerprint
    gateway = config.gateway
    assert gateway is not None
    assert (gateway.host, gateway.port, gateway.user) == ("gw.example.org", 2222, "podpora")
    # A relative path is relative to the folder of assist.toml.
    assert gateway.key_file == folder / "gateway_ed25519"
    assert [key.key_type for key in gateway.host_keys] == ["ssh-ed25519", "ecdsa-sha2-nistp256"]
    assert config.branding.name == "Example IT Help"
    assert config.branding.logo == folder / "logo.png"
    assert config.resume_grace_seconds == 90


def test_fingerprint_matches_openssh(rollout: dict[str, object]) -> None:
    """The fingerprint is computed as ssh-keygen -lf does: SHA-256 over the decoded blob, unpadded base64."""
    import hashlib

    folder = rollout["folder"]
    assert isinstance(folder, Path)
    config = load_org_config(write(folder, valid_text(rollout)))
    blob = base64.b64decode(str(rollout["org_line"]).split()[1])
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert config.organisation_keys[0].fingerprint == expected


def test_gateway_port_defaults_to_22(rollout: dict[str, object]) -> None:
    folder = rollout["folder"]
    assert isinstance(folder, Path)
    config = load_org_config(write(folder, valid_text(rollout).replace("port = 2222\n", "")))
    assert config.gateway is not None and config.gateway.port == 22


def test_the_shipped_example_is_valid_once_its_files_exist(tmp_path: Path) -> None:
    """packaging/examples/assist.toml must parse; its paths point at files IT deploys, so provide them."""
    text = (REPO / "packaging" / "examples" / "assist.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(("key_file", "logo")):
            target = Path(line.split("=", 1)[1].strip().strip('"'))
            text = text.replace(str(target), str(tmp_path / target.name))
            (tmp_path / target.name).write_bytes(b"<svg/>" if target.suffix == ".svg" else b"key")
    config = orgconfig.parse_org_config(text, source=tmp_path / "assist.toml")
    assert config.gateway is not None
    assert config.organisation_keys
    assert config.resume_grace_seconds == 60


# (what to change in the valid file, the key the error must name)
BAD_SETTINGS = [
    (('language = "cs"', 'language = "de"'), "language"),
    (('language = "cs"', "language = 5"), "language"),
    (('language = "cs"', 'langauge = "cs"'), "langauge"),
    (('name = "Example s.r.o."', 'name = ""'), "organisation.name"),
    (('name = "Example s.r.o."', 'name = "two\\nlines"'), "organisation.name"),
    (('name = "Example s.r.o."', 'nmae = "x"'), "organisation.nmae"),
    (("public_keys = [", "public_keys = 7 #["), "organisation.public_keys"),
    (('public_keys = ["', 'public_keys = ["not a key", "'), "organisation.public_keys[0]"),
    (('public_keys = ["ssh-ed25519 AAAA', 'public_keys = ["ssh-ed25519 !!!!'), "organisation.public_keys[0]"),
    (('public_keys = ["ssh-ed25519', 'public_keys = ["ssh-rsa'), "organisation.public_keys[0]"),
    (('host = "gw.example.org"', 'host = "-oProxyCommand=x"'), "gateway.host"),
    (('host = "gw.example.org"', 'host = "gw example"'), "gateway.host"),
    (('host = "gw.example.org"', ""), "gateway.host"),
    (("port = 2222", "port = 0"), "gateway.port"),
    (("port = 2222", "port = 70000"), "gateway.port"),
    (("port = 2222", 'port = "22"'), "gateway.port"),
    (("port = 2222", "port = true"), "gateway.port"),
    (('user = "podpora"', 'user = "-l root"'), "gateway.user"),
    (('user = "podpora"', ""), "gateway.user"),
    (('key_file = "gateway_ed25519"', 'key_file = "missing_key"'), "gateway.key_file"),
    (('key_file = "gateway_ed25519"', 'key_file = ""'), "gateway.key_file"),
    (('key_file = "gateway_ed25519"', ""), "gateway.key_file"),
    (("host_keys = [", "host_keys = [] #"), "gateway.host_keys"),
    (('host_keys = ["', 'host_keys = ["ssh-dss AAAA", "'), "gateway.host_keys[0]"),
    (("[gateway]", '[gateway]\nproxy = "x"'), "gateway.proxy"),
    (('name = "Example IT Help"', "name = 3"), "branding.name"),
    (('logo = "', 'logo = "/nonexistent/logo.png" #'), "branding.logo"),
    (('logo = "', 'logo = "/etc/passwd" #'), "branding.logo"),
    (("[branding]", '[branding]\ncolour = "red"'), "branding.colour"),
    (("resume_grace_seconds = 90", "resume_grace_seconds = -1"), "session.resume_grace_seconds"),
    (("resume_grace_seconds = 90", "resume_grace_seconds = 601"), "session.resume_grace_seconds"),
    (("resume_grace_seconds = 90", 'resume_grace_seconds = "60"'), "session.resume_grace_seconds"),
    (("resume_grace_seconds = 90", "resume_grace_seconds = true"), "session.resume_grace_seconds"),
    (("resume_grace_seconds = 90", "resume_grace_seconds = nan"), "session.resume_grace_seconds"),
    (("resume_grace_seconds = 90", "resume_grace_seconds = inf"), "session.resume_grace_seconds"),
    (("resume_grace_seconds = 90", "resume_grace = 90"), "session.resume_grace"),
]


@pytest.mark.parametrize(("change", "key"), BAD_SETTINGS, ids=[f"{key}-{i}" for i, (_, key) in enumerate(BAD_SETTINGS)])
def test_each_bad_setting_is_an_error_naming_file_and_key(
    rollout: dict[str, object], change: tuple[str, str], key: str
) -> None:
    folder = rollout["folder"]
    assert isinstance(folder, Path)
    text = valid_text(rollout)
    old, new = change
    assert old in text, "the test's edit must apply"
    path = write(folder, text.replace(old, new, 1))
    with pytest.raises(OrgConfigError) as caught:
        load_org_config(path)
    assert caught.value.key == key
    assert caught.value.path == path
    assert str(path) in caught.value.user_message
    assert f"“{key}”" in caught.value.user_message
    assert caught.value.exit_code == 78


@pytest.mark.parametrize("section", ["organisation", "gateway", "branding", "session"])
def test_a_section_given_as_a_value_is_refused(tmp_path: Path, section: str) -> None:
    with pytest.raises(OrgConfigError) as caught:
        load_org_config(write(tmp_path, f'{section} = "x"\n'))
    assert caught.value.key == section


def test_oversized_logo_is_refused(rollout: dict[str, object]) -> None:
    folder = rollout["folder"]
    assert isinstance(folder, Path)
    (folder / "logo.png").write_bytes(b"\0" * (orgconfig.MAX_LOGO_BYTES + 1))
    with pytest.raises(OrgConfigError) as caught:
        load_org_config(write(folder, valid_text(rollout)))
    assert caught.value.key == "branding.logo"


def test_logo_content_must_match_its_type(rollout: dict[str, object]) -> None:
    folder = rollout["folder"]
    assert isinstance(folder, Path)
    (folder / "logo.png").write_bytes(b"<html>not found</html>")
    with pytest.raises(OrgConfigError, match="not a PNG image") as caught:
        load_org_config(write(folder, valid_text(rollout)))
    assert caught.value.key == "branding.logo"
    (folder / "logo.svg").write_text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')
    config = load_org_config(write(folder, valid_text(rollout).replace("logo.png", "logo.svg")))
    assert config.branding.logo == folder / "logo.svg"


def test_truncated_ed25519_key_is_refused(rollout: dict[str, object]) -> None:
    folder = rollout["folder"]
    assert isinstance(folder, Path)
    blob = b"\0\0\0\x0bssh-ed25519\0\0\0\x10" + b"k" * 16
    short = "ssh-ed25519 " + base64.b64encode(blob).decode()
    text = valid_text(rollout).replace(str(rollout["org_line"]), short)
    with pytest.raises(OrgConfigError) as caught:
        load_org_config(write(folder, text))
    assert caught.value.key == "organisation.public_keys[0]"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("language = ", "not valid TOML"),
        ("[gateway\n", "not valid TOML"),
    ],
)
def test_broken_toml_names_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(OrgConfigError) as caught:
        load_org_config(path)
    assert caught.value.key is None
    assert problem in caught.value.problem
    assert str(path) in caught.value.user_message


def test_not_utf8_and_oversized_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "assist.toml"
    path.write_bytes(b'language = "\xff"\n')
    with pytest.raises(OrgConfigError, match="UTF-8"):
        load_org_config(path)
    path.write_bytes(b"#" * (orgconfig.MAX_CONFIG_BYTES + 1))
    with pytest.raises(OrgConfigError, match="larger"):
        load_org_config(path)


def test_folder_instead_of_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OrgConfigError, match="folder"):
        load_org_config(tmp_path)


@pytest.mark.skipif(os.name != "posix", reason="mode bits are a POSIX check")
@pytest.mark.parametrize("mode", [0o664, 0o646, 0o666])
def test_file_writable_by_others_is_not_trusted(tmp_path: Path, mode: int) -> None:
    """The file carries the trust anchors: if anyone else can change it, nobody should believe it."""
    path = write(tmp_path, 'language = "en"\n', mode=mode)
    with pytest.raises(OrgConfigError, match="other users can change it"):
        load_org_config(path)


@pytest.mark.skipif(os.name != "posix", reason="ownership is a POSIX check")
def test_file_owned_by_another_ordinary_user_is_not_trusted(tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to give the file to another user")
    path = write(tmp_path, 'language = "en"\n')
    os.chown(path, 65534, 65534)
    with pytest.raises(OrgConfigError, match="administrator"):
        load_org_config(path)


# ----- the resume grace period (issue 9): organisation file, command line, and what the agent gets


@pytest.mark.parametrize(("written", "seconds"), [("0", 0.0), ("600", 600.0), ("2.5", 2.5), ("60", 60.0)])
def test_resume_grace_within_bounds_is_read(tmp_path: Path, written: str, seconds: float) -> None:
    config = load_org_config(write(tmp_path, f"[session]\nresume_grace_seconds = {written}\n"))
    assert config.resume_grace_seconds == seconds


def test_resume_grace_not_set_is_left_to_the_agent(tmp_path: Path) -> None:
    assert DEFAULT.resume_grace_seconds is None
    assert load_org_config(write(tmp_path, 'language = "sk"\n')).resume_grace_seconds is None


def assist_args(*extra: str) -> object:
    from app.cli import build_parser

    return build_parser().parse_args(["assist", *extra])


@pytest.mark.parametrize(("given", "seconds"), [("0", 0.0), ("600", 600.0), ("1.5", 1.5)])
def test_resume_grace_on_the_command_line(given: str, seconds: float) -> None:
    assert assist_args("--resume-grace", given).resume_grace == seconds  # type: ignore[attr-defined]


@pytest.mark.parametrize("given", ["-1", "601", "nan", "inf", "soon", ""])
def test_a_bad_resume_grace_on_the_command_line_is_refused_in_words(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        assist_args("--resume-grace", given)
    assert exited.value.code == 2
    assert "must be a number of seconds from 0 to 600" in capsys.readouterr().err


def test_the_command_line_wins_over_the_organisation_and_both_over_the_default(tmp_path: Path) -> None:
    from app.cli.assist import resume_grace
    from app.remote.session import RESUME_GRACE_SECONDS

    organisation = load_org_config(write(tmp_path, "[session]\nresume_grace_seconds = 0\n"))
    assert resume_grace(None, organisation) == 0.0  # the organisation's 0 is kept, not taken for "unset"
    assert resume_grace(30.0, organisation) == 30.0
    assert resume_grace(None, DEFAULT) == RESUME_GRACE_SECONDS == 60.0


def test_the_assist_app_gives_its_agent_the_setting() -> None:
    from app.ui.assist.wiring import make_backend

    assert make_backend(listen=0, resume_grace=0.0).resume_grace == 0.0
    assert make_backend(listen=0).resume_grace == 60.0


@pytest.mark.parametrize("grace_line", ["resume_grace_seconds = 0", ""])
def test_the_organisation_s_grace_decides_whether_a_dropped_session_waits(tmp_path: Path, grace_line: str) -> None:
    """A real agent with the organisation's setting; the technician's link is cut under it.

    With 0 the session ends at once; without the setting the agent waits (the user sees the technician is
    disconnected) and the session is still there.
    """
    import socket

    from app.cli.assist import resume_grace
    from app.remote import protocol as p
    from app.remote.agent import AgentCallbacks, AssistAgent
    from app.remote.client import TechnicianCallbacks, TechnicianClient
    from tests.remote.agentkit import FakeScreen, ScriptedConsent
    from tests.security.test_resume_link_faults import Watch

    organisation = load_org_config(write(tmp_path, f"[session]\n{grace_line}\n"))
    user, technician = Watch(), Watch()
    agent = AssistAgent(
        screen=FakeScreen(),
        consent=ScriptedConsent(frozenset({p.Capability.VIEW})),
        callbacks=AgentCallbacks(on_state=user.on_state, on_ended=user.on_ended),
        resume_grace=resume_grace(None, organisation),
    )
    port = agent.listen(0)
    link = socket.create_connection(("127.0.0.1", port), timeout=10)

    def no_way_back() -> socket.socket:
        raise OSError("the technician's network is gone")

    client = TechnicianClient(
        link,
        code=agent.code(),
        capabilities=frozenset({p.Capability.VIEW}),
        callbacks=TechnicianCallbacks(on_frame=technician.on_frame, on_ended=technician.on_ended),
        reconnect=no_way_back,
    )
    try:
        client.start()
        assert technician.wait(lambda: technician.frames >= 1)
        link.shutdown(socket.SHUT_RDWR)  # the link drops under both sides
        if grace_line:
            assert user.wait(lambda: user.ended is not None)
            assert "technician disconnected" not in user.states
        else:
            assert user.wait(lambda: "technician disconnected" in user.states)
            assert user.ended is None
    finally:
        client.stop()
        agent.stop()
        assert agent.wait_stopped(10)
