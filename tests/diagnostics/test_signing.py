"""Signatures: what is verified is what runs; unsigned, tampered, wrong-key and swapped scripts are refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from app.cli import main
from app.diagnostics.catalog import load_catalog, load_script
from app.diagnostics.errors import SignatureError
from app.diagnostics.runner import LocalExecutor, Runner
from app.diagnostics.signing import SIGNATURE_FORMAT, PublicKey, script_digest, signature_path
from tests.diagnostics.conftest import ScriptFolder

CANARY_BODY = """\
open(P["canary"], "w").write("ran")
emit("check", id="canary", status="ok", finding="touched")
emit("done")
"""
CANARY_PARAM = """
[parameters.canary]
type = "string"
label = "canary file"
pattern = "/.*"
required = true
"""


def test_signed_script_verifies_and_runs(scripts: ScriptFolder, tmp_path: Path) -> None:
    scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    catalog = scripts.catalog()
    assert catalog.refusals == []
    script = catalog.get("canary")
    canary = tmp_path / "canary"
    result = Runner(LocalExecutor()).run(script, {"canary": str(canary)})
    assert result.run_status == "completed", result.error
    assert canary.read_text() == "ran"
    assert result.digest == script_digest(script.manifest_bytes, script.body).hex()


def _refusal_for(scripts: ScriptFolder, canary: Path) -> str:
    catalog = scripts.catalog()
    assert "canary" not in catalog.scripts
    assert not canary.exists()
    assert len(catalog.refusals) == 1
    return catalog.refusals[0].reason


def test_unsigned_script_is_refused(scripts: ScriptFolder, tmp_path: Path) -> None:
    scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM, sign=False)
    assert "not signed" in _refusal_for(scripts, tmp_path / "canary")


@pytest.mark.parametrize("part", ["manifest", "body"])
def test_tampered_script_is_refused(scripts: ScriptFolder, tmp_path: Path, part: str) -> None:
    manifest = scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    target = manifest if part == "manifest" else manifest.with_suffix(".py")
    text = target.read_bytes()
    needle = b"A test script." if part == "manifest" else b"touched"
    position = text.index(needle) + 2
    target.write_bytes(text[:position] + bytes([text[position] ^ 0x01]) + text[position + 1 :])  # one bit
    assert "changed after it was signed" in _refusal_for(scripts, tmp_path / "canary")


def test_wrong_key_is_refused(scripts: ScriptFolder, tmp_path: Path) -> None:
    manifest = scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    scripts.sign(manifest, ed25519.Ed25519PrivateKey.generate())
    assert "not trusted" in _refusal_for(scripts, tmp_path / "canary")


def test_forged_signature_under_trusted_key_id_is_refused(scripts: ScriptFolder, tmp_path: Path) -> None:
    manifest = scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    document = json.loads(signature_path(manifest).read_bytes())
    # A valid signature by the trusted key, but over the bare digest: another "namespace".
    document["signature"] = base64.b64encode(scripts.key.sign(bytes.fromhex(document["digest"]))).decode()
    signature_path(manifest).write_text(json.dumps(document))
    assert "signature is not valid" in _refusal_for(scripts, tmp_path / "canary")


def test_malformed_signature_file_is_refused(scripts: ScriptFolder, tmp_path: Path) -> None:
    manifest = scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    signature_path(manifest).write_text(json.dumps({"format": SIGNATURE_FORMAT}))
    assert "malformed" in _refusal_for(scripts, tmp_path / "canary")


def test_swap_between_verify_and_run_runs_the_verified_bytes(scripts: ScriptFolder, tmp_path: Path) -> None:
    manifest = scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    script = scripts.catalog().get("canary")
    evil = tmp_path / "evil"
    # After verification, the file on disk is replaced by something that would do harm.
    manifest.with_suffix(".py").write_text(f"open({str(evil)!r}, 'w').write('pwned')\n")
    canary = tmp_path / "canary"
    result = Runner(LocalExecutor()).run(script, {"canary": str(canary)})
    assert result.run_status == "completed"
    assert canary.read_text() == "ran"
    assert not evil.exists()
    # And loading again now refuses the swapped file.
    with pytest.raises(SignatureError):
        load_script(manifest, scripts.trusted)


def test_older_signed_version_is_refused_by_min_versions(scripts: ScriptFolder) -> None:
    scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    catalog = load_catalog([scripts.path], scripts.trusted, min_versions={"canary": "1.1.0"})
    assert "canary" not in catalog.scripts
    assert "older than allowed" in catalog.refusals[0].reason


def test_scripts_cli_keygen_sign_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = ScriptFolder(tmp_path / "org", ed25519.Ed25519PrivateKey.generate())
    folder.path.mkdir()
    folder.add("canary", CANARY_BODY, extra=CANARY_PARAM, sign=False)
    key = tmp_path / "keys" / "org.key"
    assert main(["scripts", "keygen", str(key), "--comment", "Example org"]) == 0
    assert (key.stat().st_mode & 0o777) == 0o600
    assert main(["scripts", "verify", "--no-project-key", "--trust", f"{key}.pub", str(folder.path)]) == 1
    assert "not signed" in capsys.readouterr().out
    assert main(["scripts", "sign", "--key", str(key), str(folder.path)]) == 0
    assert main(["scripts", "verify", "--no-project-key", "--trust", f"{key}.pub", str(folder.path)]) == 0
    assert "OK" in capsys.readouterr().out
    # The project key alone does not trust the organisation's signature.
    assert main(["scripts", "verify", str(folder.path)]) == 1
    # keygen never overwrites a key.
    assert main(["scripts", "keygen", str(key)]) != 0


def test_organisation_folder_and_key_from_settings(
    scripts: ScriptFolder, podpora_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scripts.add("canary", CANARY_BODY, extra=CANARY_PARAM)
    public = tmp_path / "org.pub"
    public.write_text(PublicKey(scripts.key.public_key(), "org").to_line())
    config = podpora_home / "config"
    config.mkdir(parents=True)
    (config / "diagnostics.toml").write_text(
        f'script_dirs = ["{scripts.path}"]\ntrusted_keys = ["{public}"]\nmin_versions = {{ disk_space = "1.0.0" }}\n'
    )
    assert main(["diag", "list", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    sources = {item["id"]: item["source"] for item in document["scripts"]}
    assert sources["canary"] == str(scripts.path / "canary.toml")
    assert "disk_space" in sources  # the library stays, trusted by the project key
    (config / "diagnostics.toml").write_text('script_dirs = "/not/a/list"\n')
    assert main(["diag", "list"]) == 78
    assert "script_dirs" in capsys.readouterr().err
