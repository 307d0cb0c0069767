# Sourced by the other scripts: where the two virtual environments live.
# They are keyed by a hash of their requirements, so a change of requirements builds a fresh one
# and an unchanged one is reused (a clean clone on the same machine does not reinstall Rasa).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_ROOT="${VENV_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/motor-claims/venvs}"
_hash() { cat "$@" | sha256sum | cut -c1-12; }
RASA_VENV="$VENV_ROOT/rasa-$(_hash "$ROOT/requirements/rasa.txt")"
APP_VENV="$VENV_ROOT/app-$(_hash "$ROOT/requirements/app.txt" "$ROOT/requirements/test.txt")"
RASA="$RASA_VENV/bin/rasa"
APP_PY="$APP_VENV/bin/python"
export RASA_VENV APP_VENV APP_PY
# Rasa would try to reach its telemetry and error-report services, which are not reachable here.
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
