"""The Rasa data and domain: validation is clean and every response speaks both languages."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def test_rasa_data_validate_passes_without_warnings():
    rasa = Path(os.environ["RASA_VENV"]) / "bin" / "rasa"
    result = subprocess.run(
        [str(rasa), "data", "validate", "--fail-on-warnings", "--domain", "config/domain", "--data", "nlu_data",
         "--config", "config/config.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if "UserWarning" in line or " ERROR " in line]
    assert result.returncode == 0 and not warnings, "\n".join(warnings) or output[-3000:]


def test_every_response_has_a_chinese_and_an_english_variant():
    yaml = YAML(typ="safe")
    missing = []
    for path in sorted((ROOT / "config/domain").glob("*.yml")):
        for name, variants in (yaml.load(path) or {}).get("responses", {}).items():
            languages = {
                next((c["value"] for c in v.get("condition", []) if c["name"] == "language"), "default")
                for v in variants
            }
            if "zh" not in languages or not ({"default", "en"} & languages):
                missing.append(f"{path.name}:{name} has {sorted(languages)}")
    assert not missing, missing
