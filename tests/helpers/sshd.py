"""Real OpenSSH ``sshd`` instances on 127.0.0.1 for tests (the implementation lives in app.remote.localsshd)."""

from app.remote.localsshd import KeyPair, LocalSshdError, SshServer, SshServerFactory, free_port

__all__ = ["KeyPair", "LocalSshdError", "SshServer", "SshServerFactory", "free_port"]
