"""No Docker engine on the build machines: the entrypoint and what the image runs are tested directly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_entrypoint_upgrades_then_runs_the_command(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()  # the image's volume
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "FOIMAIL_DATABASE_URL": f"sqlite:///{tmp_path}/data/foimail.db",
        "FOIMAIL_IMAP_HOST": "",
    }
    result = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh"), "cases", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "database schema is up to date" in result.stdout
    assert "number" in result.stdout  # the table header of `foimail cases list`
    health = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh"), "health"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert health.returncode == 0 and "healthy" in health.stdout


def test_dockerfile_copies_what_exists_and_runs_unprivileged() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (?!--from=)(\S+(?: \S+)*) \S+$", text, re.M):
        for name in source.split():
            assert (ROOT / name).exists(), name
    # The image installs the wheel built in its first stage, never the checkout (an editable install).
    assert "pip wheel" in text and "COPY --from=build /wheels" in text and "pip install -e" not in text
    assert re.search(r"^USER foimail$", text, re.M)
    assert "HEALTHCHECK" in text and '"foimail", "health"' in text
    assert 'ENTRYPOINT ["foimail-entrypoint"]' in text
