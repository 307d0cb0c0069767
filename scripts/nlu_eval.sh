#!/usr/bin/env bash
# 5-fold cross-validation, intent F1 per language: the figures quoted in the README.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
mkdir -p results
# Rasa and TensorFlow are chatty: their output goes to results/nlu_eval.log, the figures to the terminal.
"$RASA_VENV/bin/python" scripts/nlu_eval.py "$@" 2>results/nlu_eval.log | grep -vE "^\s*$|\[debug|\[info"
