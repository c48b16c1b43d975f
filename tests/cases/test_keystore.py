"""Where the journal key and the ticket-system credentials are kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.cases.keystore import (
    KeystoreError,
    MissingCredentialError,
    get_credential,
    load_journal_key,
    set_credential,
)


def test_key_in_keyring_is_stable(memory_keyring: None, tmp_path: Path) -> None:
    first = load_journal_key(tmp_path)
    second = load_journal_key(tmp_path)
    assert first.kept_in == "keyring"
    assert first.key == second.key
    assert len(first.key) == 32
    assert not list(tmp_path.iterdir())  # nothing on disk
    assert first.key.hex() not in repr(first)


@pytest.mark.expect_log_warnings
def test_no_keyring_falls_back_to_0600_file_with_warning(
    no_keyring: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = load_journal_key(tmp_path)
    path = tmp_path / "journal.key"
    assert first.kept_in == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_journal_key(tmp_path).key == first.key
    assert any("no system keyring" in r.getMessage() for r in caplog.records)
    assert all(first.key.hex() not in r.getMessage() for r in caplog.records)


@pytest.mark.expect_log_warnings
def test_plaintext_keyring_is_not_trusted(tmp_path: Path) -> None:
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        assert load_journal_key(tmp_path).kept_in.endswith("journal.key")
    finally:
        keyring.set_keyring(previous)


@pytest.mark.expect_log_warnings
def test_a_chain_of_plain_file_keyrings_is_not_trusted_either(tmp_path: Path) -> None:
    """keyring's chainer wraps keyrings.alt's plain file when nothing else is there: the key goes to our file."""
    import keyring
    from keyring.backends.chainer import ChainerBackend
    from keyrings.alt.file import PlaintextKeyring

    class PlainChain(ChainerBackend):
        """A chain holding only a plain-file keyring, as on a desktop without a secret service."""

        backends = (PlaintextKeyring(),)  # type: ignore[assignment]
        priority = -1  # type: ignore[assignment]  # never picked by keyring itself

    previous = keyring.get_keyring()
    keyring.set_keyring(PlainChain())
    try:
        assert load_journal_key(tmp_path).kept_in.endswith("journal.key")
    finally:
        keyring.set_keyring(previous)


def test_a_chain_with_a_real_keyring_uses_that_keyring(memory_keyring: None, tmp_path: Path) -> None:
    import keyring
    from keyring.backends.chainer import ChainerBackend
    from keyrings.alt.file import PlaintextKeyring

    real = keyring.get_keyring()

    class MixedChain(ChainerBackend):
        """The plain file first, a real keyring second: the real one must hold the key."""

        backends = (PlaintextKeyring(), real)  # type: ignore[assignment]
        priority = -1  # type: ignore[assignment]

    keyring.set_keyring(MixedChain())
    try:
        assert load_journal_key(tmp_path).kept_in == "keyring"
        assert real.get_password("podpora", "journal-master-key") is not None
        assert not (tmp_path / "journal.key").exists()
    finally:
        keyring.set_keyring(real)


@pytest.mark.expect_log_warnings
def test_group_readable_key_file_is_refused(no_keyring: None, tmp_path: Path) -> None:
    load_journal_key(tmp_path)
    os.chmod(tmp_path / "journal.key", 0o644)
    with pytest.raises(KeystoreError) as caught:
        load_journal_key(tmp_path)
    assert "chmod 600" in caught.value.user_message


def test_credentials_keyring_then_environment(memory_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    set_credential("redmine", "api_key", "k-123")
    assert get_credential("redmine", "api_key") == "k-123"
    monkeypatch.setenv("PODPORA_ZAMMAD_TOKEN", "t-9")
    assert get_credential("zammad", "token") == "t-9"
    with pytest.raises(MissingCredentialError) as caught:
        get_credential("jira", "api_token")
    assert "PODPORA_JIRA_API_TOKEN" in caught.value.user_message


def test_no_keyring_refuses_to_store_credentials(no_keyring: None) -> None:
    with pytest.raises(KeystoreError):
        set_credential("redmine", "api_key", "x")
