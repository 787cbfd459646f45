"""On a machine without LibreOffice the suite still runs: every test that needs soffice skips with the reason
(README: `python -m pytest` works with or without it). Run here by hiding soffice from PATH and running the
test files that use it: their other tests pass, the LibreOffice ones skip, none fails looking for soffice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
HIDDEN = re.compile(r"^(soffice|libreoffice.*|localc|lowriter)$")


def path_without_soffice(tmp: Path) -> str:
    """A PATH of links to every program on this PATH except LibreOffice's."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            link = bin_dir / entry.name
            if not HIDDEN.match(entry.name) and not link.exists() and os.access(entry.path, os.X_OK):
                link.symlink_to(entry.path)
    return str(bin_dir)


@pytest.mark.skipif(os.name != "posix", reason="PATH of symlinks")
def test_the_libreoffice_tests_skip_cleanly_without_it(tmp_path):
    users = sorted(
        f"tests/{p.name}" for p in TESTS.glob("test_*.py")
        if p.name != Path(__file__).name and re.search(r"soffice|SOFFICE", p.read_text(encoding="utf-8"))
    )
    assert users, "no test uses LibreOffice: this test has nothing to prove"
    env = {**os.environ, "PATH": path_without_soffice(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-rs", *users],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]  # the rest of those files passes; no FileNotFoundError
    assert " failed" not in done.stdout and " error" not in done.stdout, done.stdout[-3000:]
    assert "skipped" in done.stdout and "is not installed" in done.stdout
