#!/usr/bin/env bash
# 5-fold cross-validation, intent F1 per language: the figures quoted in the README.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
"$RASA_VENV/bin/python" scripts/nlu_eval.py "$@" 2>&1 | grep -vE "Warning|warn\(|^\s*$|declare_namespace|pkg_resources|xla_computation"
