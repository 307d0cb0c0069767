#!/usr/bin/env bash
# Runs every test: unit tests, Rasa data validation, and end-to-end tests through the Bot API
# simulator with the real Rasa server, action server, bot and database. Trains the model first
# when the data changed. Extra arguments go to pytest (e.g. scripts/test.sh -k greet).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/train.sh
export SQLALCHEMY_SILENCE_UBER_WARNING=1
"$APP_PY" -m pytest tests --durations=20 "$@"  # the slowest 20, to keep the suite within its budget
