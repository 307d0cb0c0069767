#!/usr/bin/env bash
# Creates (or reuses) the Rasa and app virtual environments on Python 3.10.
set -euo pipefail
source "$(dirname "$0")/env.sh"

find_python310() {
  for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/3.10.13/bin/python" /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    pyenv install -s 3.10.13 >&2 && echo "$(pyenv root)/versions/3.10.13/bin/python" && return 0
  fi
  echo "Python 3.10 is required (Rasa 3.6 supports 3.8-3.10). Set PYTHON310=/path/to/python3.10." >&2
  return 1
}

make_venv() {  # make_venv DIR REQUIREMENTS [PIP_CONSTRAINT...]
  local dir="$1" req="$2"; shift 2
  if [ -f "$dir/.complete" ]; then return 0; fi
  echo "==> creating $dir from $req (first time only, a few minutes)"
  rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
  "$PY310" -m venv "$dir"
  # pip < 24.1 still accepts the legacy version metadata of some of Rasa 3.6's pinned dependencies.
  "$dir/bin/pip" install -q --upgrade "$@" wheel
  "$dir/bin/pip" install -q -r "$req"
  touch "$dir/.complete"
}

PY310="$(find_python310)"
make_venv "$RASA_VENV" "$ROOT/requirements/rasa.txt" "pip<24.1" "setuptools<70"
make_venv "$APP_VENV" "$ROOT/requirements/test.txt" pip
echo "rasa env: $RASA_VENV"
echo "app env:  $APP_VENV"
