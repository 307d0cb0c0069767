"""`rasa test core` on the conversation stories in tests/rasa_stories, against the trained model."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rasa_test_stories_pass(tmp_path):
    model = subprocess.run(["bash", "scripts/train.sh", "--print-path"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.strip()
    rasa = Path(os.environ["RASA_VENV"]) / "bin" / "rasa"
    result = subprocess.run(
        [str(rasa), "test", "core", "--model", model, "--stories", "tests/rasa_stories",
         "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, details
    assert "Correct:" in result.stdout + result.stderr or (tmp_path / "story_report.json").exists()
