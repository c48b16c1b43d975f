"""Ed25519 signatures over a script's manifest and body.

What is signed is a canonical digest of both files' exact bytes::

    digest = SHA-256( "podpora-script-v1" NUL | u64be(len(manifest)) | manifest | u64be(len(body)) | body )

and the signature covers ``"podpora-script-signature/1" NUL | digest`` so that a signature made with the same
key for another purpose (another namespace) never verifies as a script signature (SSHSIG's lesson).

Files:

* private key: PKCS#8 PEM, optionally encrypted with a passphrase, mode 0600 (``podpora scripts keygen``);
* public key: one line ``podpora-ed25519 <base64 of the 32-byte key> <comment>``;
* signature: ``<manifest>.sig``, a small JSON object ``{"format", "key_id", "digest", "signature"}``.

The key id is the first 16 hex digits of SHA-256 of the raw public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from app.diagnostics.errors import KeyFileError, SignatureError

DIGEST_DOMAIN = b"podpora-script-v1\x00"
SIGNATURE_FORMAT = "podpora-script-signature/1"
SIGNATURE_DOMAIN = SIGNATURE_FORMAT.encode() + b"\x00"
PUBLIC_KEY_PREFIX = "podpora-ed25519"
SIGNATURE_SUFFIX = ".sig"


def script_digest(manifest_bytes: bytes, body_bytes: bytes) -> bytes:
    """The canonical SHA-256 digest of a script (manifest and body, length-prefixed)."""
    hasher = hashlib.sha256(DIGEST_DOMAIN)
    for part in (manifest_bytes, body_bytes):
        hasher.update(struct.pack(">Q", len(part)))
        hasher.update(part)
    return hasher.digest()


def key_id(public_key: ed25519.Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKey:
    """A trusted script-signing public key."""

    key: ed25519.Ed25519PublicKey
    comment: str

    @property
    def id(self) -> str:
        return key_id(self.key)

    def to_line(self) -> str:
        raw = self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return f"{PUBLIC_KEY_PREFIX} {base64.b64encode(raw).decode()} {self.comment}".rstrip() + "\n"

    @classmethod
    def from_line(cls, line: str, source: str) -> PublicKey:
        parts = line.strip().split(None, 2)
        if len(parts) < 2 or parts[0] != PUBLIC_KEY_PREFIX:
            raise KeyFileError(source, f"expected a line starting with '{PUBLIC_KEY_PREFIX}'")
        try:
            raw = base64.b64decode(parts[1], validate=True)
            key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except (binascii.Error, ValueError):
            raise KeyFileError(source, "the key is not a valid Ed25519 public key") from None
        return cls(key, parts[2] if len(parts) > 2 else "")

    @classmethod
    def load(cls, path: Path) -> PublicKey:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise KeyFileError(str(path), f"cannot be read ({error})") from None
        return cls.from_line(text, str(path))


@dataclass(frozen=True)
class Signature:
    """A parsed signature file."""

    key_id: str
    digest: bytes
    signature: bytes

    def to_bytes(self) -> bytes:
        document = {
            "format": SIGNATURE_FORMAT,
            "key_id": self.key_id,
            "digest": self.digest.hex(),
            "signature": base64.b64encode(self.signature).decode(),
        }
        return (json.dumps(document, indent=2) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> Signature:
        try:
            document = json.loads(data)
            if not isinstance(document, dict) or document.get("format") != SIGNATURE_FORMAT:
                raise ValueError("unknown signature format")
            return cls(
                key_id=str(document["key_id"]),
                digest=bytes.fromhex(document["digest"]),
                signature=base64.b64decode(document["signature"], validate=True),
            )
        # RecursionError: json recurses per nesting level, so a file nested thousands deep ends up here.
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise SignatureError(source, "its signature file is malformed") from None


class TrustedKeys:
    """The set of public keys whose script signatures are accepted."""

    def __init__(self, keys: Iterable[PublicKey] = ()) -> None:
        self._keys: dict[str, PublicKey] = {key.id: key for key in keys}

    def add(self, key: PublicKey) -> None:
        self._keys[key.id] = key

    @property
    def ids(self) -> Mapping[str, PublicKey]:
        return dict(self._keys)

    def verify(self, manifest_bytes: bytes, body_bytes: bytes, signature_bytes: bytes | None, source: str) -> str:
        """Check that the signature covers exactly these bytes; return the digest (hex) or raise."""
        if signature_bytes is None:
            raise SignatureError(source, "it is not signed")
        signature = Signature.from_bytes(signature_bytes, source)
        key = self._keys.get(signature.key_id)
        if key is None:
            raise SignatureError(source, f"it is signed by key {signature.key_id}, which is not trusted")
        digest = script_digest(manifest_bytes, body_bytes)
        if digest != signature.digest:
            raise SignatureError(source, "its content changed after it was signed")
        try:
            key.key.verify(signature.signature, SIGNATURE_DOMAIN + digest)
        except InvalidSignature:
            raise SignatureError(source, "its signature is not valid") from None
        return digest.hex()


def generate_private_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def write_private_key(key: ed25519.Ed25519PrivateKey, path: Path, passphrase: bytes | None = None) -> None:
    """Write ``key`` as PKCS#8 PEM with owner-only permissions (never overwriting an existing file)."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(str(path), "already exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_private_key(path: Path, passphrase: bytes | None = None) -> ed25519.Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(str(path), f"cannot be read ({error})") from None
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError:
        raise KeyFileError(str(path), "is protected by a passphrase") from None
    except ValueError:
        raise KeyFileError(str(path), "is not a PEM private key, or the passphrase is wrong") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise KeyFileError(str(path), "is not an Ed25519 key")
    return key


def public_key_of(key: ed25519.Ed25519PrivateKey, comment: str = "") -> PublicKey:
    return PublicKey(key.public_key(), comment)


def sign_script(manifest_bytes: bytes, body_bytes: bytes, key: ed25519.Ed25519PrivateKey) -> Signature:
    """Sign the exact bytes of a manifest and its body."""
    digest = script_digest(manifest_bytes, body_bytes)
    return Signature(
        key_id=key_id(key.public_key()),
        digest=digest,
        signature=key.sign(SIGNATURE_DOMAIN + digest),
    )


def signature_path(manifest_path: Path) -> Path:
    return manifest_path.with_name(manifest_path.name + SIGNATURE_SUFFIX)
