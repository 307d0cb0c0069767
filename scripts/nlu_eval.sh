#!/usr/bin/env bash
# NLU figures per language (accuracy with fallbacks as errors, macro/weighted F1, weakest intents,
# confusions, fallback rate, response selector): the figures quoted in the README.
#   scripts/nlu_eval.sh                                   5-fold cross-validation -> results/nlu_eval.{json,md}
#   scripts/nlu_eval.sh --heldout tests/nlu/heldout       train once on all data, parse the held-out set
#                                                         -> results/nlu_heldout.{json,md}
#   scripts/nlu_eval.sh --heldout tests/nlu/heldout --model models/model-x.tar.gz   an existing model
#   scripts/nlu_eval.sh --config other.yml --out results/other.json                 compare a setting
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
mkdir -p results
# Rasa and TensorFlow are chatty: their output goes to results/nlu_eval.log, the figures to the terminal.
nice -n "${NICE:-0}" "$RASA_VENV/bin/python" scripts/nlu_eval.py "$@" 2>results/nlu_eval.log | grep -vE "^\s*$|\[debug|\[info"
