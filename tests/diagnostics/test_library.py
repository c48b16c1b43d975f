"""The shipped library: every script is signed by the committed project key, every manifest validates, every
change names its verification and undo, and every info script runs here (over a real sshd) with valid output."""

from __future__ import annotations

import pytest

from app.diagnostics.catalog import LIBRARY_DIR, Catalog
from app.diagnostics.manifest import CHANGING_CATEGORIES, script_of_check
from app.diagnostics.results import CHECK_STATUSES
from app.diagnostics.runner import Runner
from tests.diagnostics.conftest import SshTarget


def test_every_shipped_script_verifies_against_the_project_key(library: Catalog) -> None:
    manifests = sorted(LIBRARY_DIR.glob("*.toml"))
    assert library.refusals == []
    assert len(library.scripts) == len(manifests) >= 30
    categories = {script.manifest.category for script in library.all()}
    assert categories == {"info", "repair", "install", "config"}


def test_every_change_names_existing_verifying_checks_and_an_undo(library: Catalog) -> None:
    for script in library.all():
        manifest = script.manifest
        if manifest.category not in CHANGING_CATEGORIES:
            continue
        assert manifest.verified_by, script.id
        for check_id in manifest.verified_by:
            verifier = library.get(script_of_check(check_id))
            assert verifier.manifest.category == "info", (script.id, check_id)
        assert manifest.undo is not None and manifest.changes is not None, script.id
        if manifest.undo.script is not None:
            assert library.get(manifest.undo.script).manifest.changes_system, script.id


def test_library_bodies_never_use_a_shell(library: Catalog) -> None:
    for script in library.all():
        assert b"shell=True" not in script.body, script.id
        assert b"os.system" not in script.body, script.id


@pytest.mark.sshd
def test_every_info_script_runs_here_and_emits_valid_output(library: Catalog, ssh_target: SshTarget) -> None:
    info = library.by_category("info")
    results = Runner(ssh_target.executor, max_parallel=len(info)).run_many(info)
    for result in results:
        assert result.run_status == "completed", (result.script_id, result.error, result.stderr_tail)
        assert result.checks, result.script_id
        for check in result.checks:
            assert check.status in CHECK_STATUSES
            assert check.explain_key is not None, (result.script_id, check.id, "no signed explanation")
            assert set(check.explanation) == {"en", "cs", "sk"}
            assert "?" not in check.explanation["en"].split(), (check.id, check.explanation["en"])
            if check.repair is not None:
                assert library.get(check.repair).manifest.changes_system
