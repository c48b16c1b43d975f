"""``podpora diag list|run|show`` and ``podpora bench diag`` end to end (over a real sshd where it matters)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.diagnostics.conftest import SshTarget


def test_diag_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diag", "list", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    ids = {item["id"] for item in document["scripts"]}
    assert {"disk_space", "clean_temp", "set_proxy"} <= ids
    assert document["refused"] == []


@pytest.mark.sshd
def test_diag_run_over_ssh_then_show(ssh_target: SshTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "result.json"
    code = main(
        [
            "diag",
            "run",
            "target",
            "-F",
            str(ssh_target.config),
            "--no-agent",
            "--script",
            "disk_space",
            "--script",
            "memory_swap",
            "--param",
            "disk_space.mounts=/",
            "--json",
            "--out",
            str(out),
        ]
    )
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert printed == json.loads(out.read_text())
    assert [r["script"]["id"] for r in printed["results"]] == ["disk_space", "memory_swap"]
    assert printed["results"][0]["checks"][0]["id"] == "disk_space:/"
    assert main(["diag", "show", str(out), "--lang", "sk"]) == 0
    text = capsys.readouterr().out
    assert "Miesto na disku" in text and "Pamäť a odkladací priestor" in text


def test_repair_without_approval_is_refused_non_interactively(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "old.tmp").write_text("x")
    code = main(
        [
            "diag",
            "run",
            "--local",
            "--script",
            "clean_temp",
            "--param",
            f"paths={folder}",
            "--param",
            "older_than_days=0",
            "--param",
            "apt_cache=false",
            "--json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    repair = document["repairs"][0]["repair"]
    assert repair["run_status"] == "refused"
    assert repair["approval"]["approved"] is False
    assert (folder / "old.tmp").exists()


def test_bad_parameter_is_a_plain_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["diag", "run", "--local", "--script", "disk_space", "--param", "warn_percent=lots"])
    assert code != 0
    assert "warn_percent" in capsys.readouterr().err
    assert main(["diag", "run", "--local", "--script", "no_such_script"]) != 0


def test_show_refuses_a_foreign_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text(json.dumps({"schema": "something-else/1"}))
    assert main(["diag", "show", str(bogus)]) != 0
    assert "cannot be read" in capsys.readouterr().err


@pytest.mark.sshd
@pytest.mark.slow
def test_bench_diag_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", "diag", "--json", "--no-local"])
    document = json.loads(capsys.readouterr().out)
    assert document["benchmark"] == "diag"
    assert document["info_scripts"] >= 20
    assert set(document["ssh"]["scripts"]) >= {"disk_space", "cpu_load"}
    assert code == (0 if document["ssh"]["all_completed"] else 1)


def test_the_terminal_sudo_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass
    import io

    from app.cli.diag import ask_sudo_password
    from app.diagnostics.runner import PasswordRequest

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "s3cret")
    monkeypatch.setattr("sys.stdin", io.StringIO())
    assert ask_sudo_password(PasswordRequest("pc-17", 1, False)) is None  # no terminal: declined, nothing asked
    assert asked == []
    monkeypatch.setattr("sys.stdin", Terminal())
    assert ask_sudo_password(PasswordRequest("pc-17", 2, True)) == "s3cret"
    assert asked == ["Administrator (sudo) password on pc-17 (the last one was not accepted): "]
