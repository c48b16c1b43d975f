"""How the case summary names a recovery after a crash."""

from __future__ import annotations

import pytest

from app.cases.case import _summary


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"torn_bytes": 0}, "recovered after a crash (nothing was lost)"),
        ({}, "recovered after a crash (nothing was lost)"),
        ({"torn_bytes": 37}, "recovered after a crash (37 bytes of an unfinished record set aside)"),
        ({"torn_bytes": "37"}, "recovered after a crash (nothing was lost)"),  # a malformed field is not trusted
    ],
)
def test_a_recovery_is_named_with_the_torn_bytes_only_when_there_were_some(
    fields: dict[str, object], expected: str
) -> None:
    assert _summary("recovered", fields) == expected
