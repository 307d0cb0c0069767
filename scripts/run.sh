#!/usr/bin/env bash
# Installs what is missing, trains the model when the data changed, and starts everything.
# Without TELEGRAM_BOT_TOKEN it opens a local chat in this terminal through the Bot API simulator.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ -f .env ] && { set -a; source .env; set +a; }
bash scripts/setup.sh
bash scripts/train.sh >/dev/null
export SQLALCHEMY_SILENCE_UBER_WARNING=1
exec "$APP_PY" -m devstack "$@"
