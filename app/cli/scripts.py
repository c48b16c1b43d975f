"""``podpora scripts keygen|sign|verify``: an organisation's tools for signing its own diagnostic scripts."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP


def register(subparsers: Any) -> None:
    """Add ``podpora scripts`` with its three subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "scripts", help="create signing keys, sign and verify diagnostic scripts"
    )
    sub = parser.add_subparsers(dest="scripts_command", metavar="ACTION", required=True)

    keygen = sub.add_parser("keygen", help="create an Ed25519 script-signing key pair")
    keygen.add_argument("key", type=Path, help="private key file to create (the public key goes to KEY.pub)")
    keygen.add_argument("--comment", default="", help="a name for the key, e.g. the organisation")
    keygen.add_argument(
        "--passphrase-env",
        metavar="VAR",
        help="encrypt the private key with the passphrase in this environment variable",
    )
    keygen.set_defaults(func=_keygen)

    sign = sub.add_parser("sign", help="sign script manifests (and the bodies they name)")
    sign.add_argument("--key", type=Path, required=True, help="private signing key")
    sign.add_argument("--passphrase-env", metavar="VAR", help="environment variable holding the passphrase")
    sign.add_argument("paths", nargs="+", type=Path, help="manifest files (*.toml) or folders of them")
    sign.set_defaults(func=_sign)

    verify = sub.add_parser("verify", help="verify script signatures against trusted public keys")
    verify.add_argument(
        "--trust", type=Path, action="append", default=[], help="a trusted public key file (repeatable)"
    )
    verify.add_argument(
        "--no-project-key", action="store_true", help="do not trust the key that signs Podpora's own library"
    )
    verify.add_argument("paths", nargs="+", type=Path, help="manifest files or folders of them")
    verify.set_defaults(func=_verify)


def _passphrase(var: str | None) -> bytes | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if not value:
        raise PodporaError(
            f"environment variable {var} is empty",
            user_text=QT_TRANSLATE_NOOP("podpora", "The passphrase variable {var} is not set."),
            var=var,
        )
    return value.encode()


def _manifests(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.toml")))
        else:
            found.append(path)
    return found


def _keygen(args: argparse.Namespace) -> int:
    from app.diagnostics.signing import generate_private_key, public_key_of, write_private_key

    key = generate_private_key()
    write_private_key(key, args.key, _passphrase(args.passphrase_env))
    public = public_key_of(key, args.comment)
    public_path = args.key.with_name(args.key.name + ".pub")
    public_path.write_text(public.to_line(), encoding="utf-8")
    print(f"private key: {args.key} (keep it secret; never commit it)")
    print(f"public key:  {public_path} (key id {public.id})")
    return 0


def _sign(args: argparse.Namespace) -> int:
    from app.diagnostics.errors import ManifestError
    from app.diagnostics.manifest import parse_manifest
    from app.diagnostics.signing import load_private_key, sign_script, signature_path

    key = load_private_key(args.key, _passphrase(args.passphrase_env))
    manifests = _manifests(args.paths)
    for manifest_path in manifests:
        manifest_bytes = manifest_path.read_bytes()
        manifest = parse_manifest(manifest_bytes, str(manifest_path))  # never sign an invalid manifest
        body_path = manifest_path.with_name(manifest.body)
        if not body_path.is_file():
            raise ManifestError(str(manifest_path), "body", f"{body_path.name} does not exist")
        signature = sign_script(manifest_bytes, body_path.read_bytes(), key)
        signature_path(manifest_path).write_bytes(signature.to_bytes())
        print(f"signed {manifest_path} ({manifest.id} {manifest.version}, key {signature.key_id})")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from app.diagnostics.catalog import PROJECT_KEY, load_catalog
    from app.diagnostics.signing import PublicKey, TrustedKeys

    trusted = TrustedKeys()
    if not args.no_project_key:
        trusted.add(PublicKey.load(PROJECT_KEY))
    for path in args.trust:
        trusted.add(PublicKey.load(path))
    folders = sorted({path if path.is_dir() else path.parent for path in args.paths})
    wanted = {p.resolve() for p in _manifests(args.paths)}
    catalog = load_catalog(folders, trusted)
    failures = 0
    for script in catalog.all():
        if Path(script.source).resolve() in wanted:
            print(f"OK       {script.source}: {script.id} {script.manifest.version}, key {script.key_id}")
    for refusal in catalog.refusals:
        if Path(refusal.source).resolve() in wanted or Path(refusal.source).is_dir():
            failures += 1
            print(f"REFUSED  {refusal.source}: {refusal.reason}")
    return 1 if failures else 0
