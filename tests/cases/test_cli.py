"""``podpora case …`` and ``podpora outbox …`` end to end (in-process), incl. a real Redmine delivery."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from app.cases.keystore import load_journal_key
from app.cases.store import CaseStore
from app.cli import main
from app.config import default_paths
from tests.cases.sample import record_session


@pytest.fixture
def recorded_case(memory_keyring: None, signer, clock, tmp_path: Path) -> Path:
    paths = default_paths().ensure()
    key = load_journal_key(paths.data_dir).key
    store = CaseStore(paths.cases_dir, key)
    record_session(store.journal_path("C-7"), key, signer, clock, case_id="C-7")
    key_file = paths.config_dir / "technician_ed25519"
    key_file.write_bytes(signer.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    (paths.config_dir / "technician.cert").write_bytes(b"CERT Eva Novakova\n")
    return key_file


def test_list_show_export_verify(recorded_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["case", "list"]) == 0
    out = capsys.readouterr().out
    assert "C-7" in out and "ticket 42" in out and "closed" in out
    assert main(["case", "show", "C-7"]) == 0
    out = capsys.readouterr().out
    assert "Print queue" in out and "integrity: OK" in out
    assert main(["case", "export", "C-7", "--to", "folder", "--no-pdf"]) == 0
    out = capsys.readouterr().out
    assert "delivered to Folder" in out
    exported = list((default_paths().data_dir / "exports" / "42").glob("*.zip"))
    assert len(exported) == 1
    assert main(["case", "verify", str(exported[0])]) == 0
    assert "OK: 21 records" in capsys.readouterr().out
    with zipfile.ZipFile(exported[0]) as archive:
        assert archive.read("technician.cert") == b"CERT Eva Novakova\n"
    # Tamper: drop record 3 from the journal inside the bundle.
    with zipfile.ZipFile(exported[0]) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    lines = files["journal.jsonl"].split(b"\n")
    files["journal.jsonl"] = b"\n".join(lines[:2] + lines[3:])
    tampered = exported[0].with_name("tampered.zip")
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    assert main(["case", "verify", str(tampered)]) == 1
    assert "record 3 was removed" in capsys.readouterr().err


def test_export_with_pdf(recorded_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["case", "export", "C-7", "--to", "folder", "--ticket", "T-1"]) == 0
    [bundle] = (default_paths().data_dir / "exports" / "T-1").glob("*.zip")
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read("report.pdf").startswith(b"%PDF-")


def test_unknown_case_and_connector(recorded_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["case", "show", "nope"]) == 66
    assert "no case nope" in capsys.readouterr().err
    assert main(["case", "export", "C-7", "--to", "carrier-pigeon"]) == 1
    assert "Unknown ticket system" in capsys.readouterr().err


@pytest.mark.redmine
def test_export_to_real_redmine_via_cli(
    recorded_case: Path, redmine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = redmine.create_issue("cli export")
    monkeypatch.setenv("PODPORA_REDMINE_URL", redmine.url)
    monkeypatch.setenv("PODPORA_REDMINE_API_KEY", redmine.api_key)
    assert main(["case", "export", "C-7", "--to", "redmine", "--ticket", str(ticket), "--no-pdf"]) == 0
    out = capsys.readouterr().out
    assert f"/issues/{ticket}" in out
    assert redmine.api_key not in out
    issue = redmine.issue(ticket)
    [attachment] = issue["attachments"]
    sha = out.split("SHA-256 ")[1].split(")")[0]
    assert hashlib.sha256(redmine.download(attachment["content_url"])).hexdigest() == sha
    assert main(["outbox", "status"]) == 0
    assert "delivered to Redmine" in capsys.readouterr().out


def test_outbox_waits_when_redmine_is_unreachable(
    recorded_case: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("PODPORA_REDMINE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("PODPORA_REDMINE_API_KEY", "k")
    assert main(["case", "export", "C-7", "--to", "redmine", "--no-pdf"]) == 75
    assert "waiting: Redmine unreachable" in capsys.readouterr().out
    assert main(["outbox", "status"]) == 0
    assert "next try in 30 s" in capsys.readouterr().out
    assert main(["outbox", "retry"]) == 75
    assert "next try in 60 s" in capsys.readouterr().out


def test_missing_credential_is_explained(recorded_case: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("PODPORA_JIRA_URL", "https://example.atlassian.net")
    monkeypatch.setenv("PODPORA_JIRA_EMAIL", "eva@example.com")
    code = main(["case", "export", "C-7", "--to", "jira", "--no-pdf"])
    out = capsys.readouterr()
    assert code == 1
    assert "PODPORA_JIRA_API_TOKEN" in out.out + out.err


def test_secrets_never_reach_any_file_or_http_body(
    memory_keyring: None, signer, clock, redmine, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """T29: canary secrets typed into chat, script output and notes appear in no file and no HTTP body."""
    import httpx

    canaries = {
        "chat": "password=Canary-Chat-7731",
        "output": "Authorization: Bearer CanaryBearerToken0042xyz",
        "note": "aws key AKIACANARY0000000042 and ghp_" + "C" * 36,
        "args": "Canary-Param-5150",
    }
    needles = [
        b"Canary-Chat-7731",
        b"CanaryBearerToken0042xyz",
        b"AKIACANARY0000000042",
        b"C" * 36,
        b"Canary-Param-5150",
    ]
    paths = default_paths().ensure()
    key = load_journal_key(paths.data_dir).key
    store = CaseStore(paths.cases_dir, key)
    journal = store.create_journal("C-9", signer, now=clock())
    journal.append("case_opened", {"ticket": "1"}, at=clock())
    journal.append("chat", {"sender": "user", "text": canaries["chat"]}, at=clock())
    journal.append("script_result", {"script_id": "x", "output": canaries["output"]}, at=clock())
    journal.append("note", {"text": canaries["note"]}, at=clock())
    journal.append(
        "script_run", {"script_id": "x", "args": {"wifi_psk": canaries["args"]}}, at=clock(), secret_fields=["wifi_psk"]
    )
    journal.close(at=clock())
    key_file = paths.config_dir / "technician_ed25519"
    key_file.write_bytes(signer.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))

    bodies: list[bytes] = []
    real_send = httpx.Client.send

    def recording_send(self, request, **kwargs):
        request.read()
        bodies.append(request.content)
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", recording_send)
    ticket = redmine.create_issue("canaries")
    monkeypatch.setenv("PODPORA_REDMINE_URL", redmine.url)
    monkeypatch.setenv("PODPORA_REDMINE_API_KEY", redmine.api_key)
    assert main(["case", "export", "C-9", "--to", "redmine", "--ticket", str(ticket)]) == 0
    assert main(["case", "export", "C-9", "--to", "folder"]) == 0
    captured = capsys.readouterr()
    everything = [captured.out.encode(), captured.err.encode(), *bodies]
    home = Path(str(paths.data_dir)).parent
    everything += [p.read_bytes() for p in home.rglob("*") if p.is_file()]
    for blob in everything:
        for needle in needles:
            assert needle not in blob
    # The zip is compressed: look inside it too.
    for bundle in home.rglob("*.zip"):
        with zipfile.ZipFile(bundle) as archive:
            for name in archive.namelist():
                content = archive.read(name)
                for needle in needles:
                    assert needle not in content, (name, needle)
    assert len(bodies) >= 3
