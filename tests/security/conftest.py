"""Fixtures shared by the security tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The headless situation, chosen explicitly: keyring's fail backend, so the journal key goes to its 0600 file.

    Without this a test would depend on which keyring backends earlier tests happened to define in the process
    (keyring registers every backend class, and its chainer then wraps them).
    """
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
