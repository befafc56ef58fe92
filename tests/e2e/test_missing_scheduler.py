"""Without its scheduler `foimail run` does not start: a daemon without its daily jobs would fail silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_run_without_apscheduler_is_a_start_up_error(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "apscheduler"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("No module named apscheduler")\n', encoding="utf-8")
    config = tmp_path / "foimail.toml"
    config.write_text(f'[imap]\nhost = "127.0.0.1"\n[database]\nurl = "sqlite:///{tmp_path / "db.sqlite3"}"\n')
    env = {**os.environ, "FOIMAIL_CONFIG": str(config), "PYTHONPATH": str(shadow.parent)}
    started = subprocess.run(
        [sys.executable, "-m", "foimail.cli", "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode != 0
    assert "apscheduler" in started.stderr
