"""Redaction: a table of secret shapes that must disappear and of ordinary text that must survive."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cases.redact import REDACTED, is_secret_field, redact_text, redact_value

PEM = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "-----END OPENSSH PRIVATE KEY-----"
)

# (description, text, the secret part that must be gone)
SECRET_CASES = [
    ("openssh private key block", f"here:\n{PEM}\nthanks", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE"),
    (
        "rsa pem block",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
        "MIIEpAIBAAKCAQEA7",
    ),
    ("truncated pem block", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0", "MIIEvQIBADANBgkqhkiG9w0"),
    ("authorization header", "Authorization: Bearer abcdefghijklmnop.qrstu", "abcdefghijklmnop"),
    ("basic auth header", "authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    ("bearer in text", "use bearer zyxwvutsrqpon12345 please", "zyxwvutsrqpon12345"),
    ("aws access key id", "key AKIAIOSFODNN7EXAMPLE in env", "AKIAIOSFODNN7EXAMPLE"),
    ("aws secret key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
    ("github classic token", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "a1B2c3D4e5F6g7H8i9J0"),
    ("github fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "11ABCDEFG0123456789"),
    ("slack token", "xoxb-123456789012-abcdefghijkl", "123456789012-abcdefghijkl"),
    (
        "jwt",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "dozjgNryP4J3jVmNHl0w5N",
    ),
    ("password pair", "mount -o username=bob,password=hunter2 //srv/share", "hunter2"),
    ("password colon", "Password: s3cr3t-Value!", "s3cr3t-Value!"),
    ("json password", '{"password": "correct horse battery"}', "correct horse battery"),
    ("api_key query", "GET /x?api_key=0123456789abcdef&x=1", "0123456789abcdef"),
    ("url userinfo", "git clone https://alice:TopSecret99@git.example.com/repo", "TopSecret99"),
    ("passphrase", "passphrase='my long phrase'", "my long phrase"),
]


@pytest.mark.parametrize(("description", "text", "secret"), SECRET_CASES, ids=[c[0] for c in SECRET_CASES])
def test_secret_shapes_are_redacted(description: str, text: str, secret: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted, description
    assert REDACTED in redacted


ORDINARY = [
    "The printer queue on HP-4th-floor is stuck; 3 jobs waiting.",
    "Disk /dev/sda1 is 93% full (112 GiB of 120 GiB).",
    "Service cups.service restarted at 10:42.",
    "The user's password expired yesterday",  # mentions the word, carries no value
    "Connected via ssh alice@gateway.example.com:2222",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_survives(text: str) -> None:
    assert redact_text(text) == text


def test_known_secrets_are_replaced_anywhere() -> None:
    assert redact_text("the code is 7G4-PLX and 7G4-PLX again", ["7G4-PLX"]) == (
        f"the code is {REDACTED} and {REDACTED} again"
    )


def test_structured_values_secret_fields_and_manifest_fields() -> None:
    value = {
        "user": "bob",
        "password": "x",
        "DB-Password": "y",
        "github_token": "z",
        "wifi_psk": "hunter22",
        "nested": [{"api_key": "k"}, "Authorization: Bearer abcdefghijklmnopq"],
        "count": 3,
        "ok": True,
        "none": None,
    }
    redacted = redact_value(value, secret_fields=["wifi_psk"])
    assert redacted["user"] == "bob"
    assert redacted["password"] == REDACTED
    assert redacted["DB-Password"] == REDACTED
    assert redacted["github_token"] == REDACTED
    assert redacted["wifi_psk"] == REDACTED
    assert redacted["nested"][0]["api_key"] == REDACTED
    assert "abcdefghijklmnopq" not in redacted["nested"][1]
    assert (redacted["count"], redacted["ok"], redacted["none"]) == (3, True, None)


def test_unknown_objects_fail_closed() -> None:
    class Holder:
        def __repr__(self) -> str:
            return "Holder(password=hunter2)"

    assert "hunter2" not in redact_value({"x": Holder()})["x"]


def test_is_secret_field() -> None:
    assert is_secret_field("Password")
    assert is_secret_field("smtp_password")
    assert is_secret_field("pin", ["PIN"])
    assert not is_secret_field("username")


@given(
    secret=st.text(alphabet=string.ascii_letters + string.digits + "!#$%()*+-./<>?@[]^_{|}~", min_size=6, max_size=40),
    prefix=st.sampled_from(["password=", "Password: ", "token=", "api_key=", "secret: "]),
)
def test_property_secret_pairs_never_survive(secret: str, prefix: str) -> None:
    text = f"before {prefix}{secret} after"
    assert f"{prefix}{secret}" not in redact_text(text)
