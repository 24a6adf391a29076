"""`scripts/bootstrap.sh` (shared by demo.sh and test.sh): a newcomer sees each install step."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Stands in for the virtualenv's Python: answers `-m pip install -r …` as pip does.
FAKE_PYTHON = """#!/usr/bin/env bash
if [[ " $* " == *" -r "* ]]; then
  echo "Collecting flask==3.1.0"
  echo "  Downloading flask-3.1.0-py3-none-any.whl (102 kB)"
  echo "Collecting rq==2.1.0"
  echo "Installing collected packages: rq, flask"
  echo "Successfully installed flask-3.1.0 rq-2.1.0"
  exit "${FAKE_PIP_STATUS:-0}"
fi
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", tmp_path / "scripts")
    (tmp_path / "requirements.txt").write_text("flask==3.1.0\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\nrq==2.1.0\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return tmp_path


def bootstrap(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "source scripts/bootstrap.sh"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_install_says_what_it_does_step_by_step(project):
    """Does a first install print a line per step and per package, and a second run (nothing
    changed) print nothing?"""
    first = bootstrap(project)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [
        "==> installing the pinned requirements into .venv (the first time takes a few minutes)",
        "    collecting flask==3.1.0",
        "    collecting rq==2.1.0",
        "    installing...",
        "    installed",
        "==> requirements installed",
    ]
    again = bootstrap(project)
    assert (again.returncode, again.stderr) == (0, "")


def test_a_failed_install_stops_and_is_tried_again(project):
    """When pip fails, does the bootstrap fail too (not hide it behind the progress lines),
    and install again next time?"""
    failed = bootstrap(project, FAKE_PIP_STATUS="1")
    assert failed.returncode != 0
    assert "requirements installed" not in failed.stderr
    assert not list((project / ".venv").glob(".requirements-*"))
    assert bootstrap(project).returncode == 0
    assert list((project / ".venv").glob(".requirements-*"))
