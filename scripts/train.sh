#!/usr/bin/env bash
# Trains the Rasa model when the training data, domain, config, the pipeline's own components or the Rasa
# version changed.
# The model is named by a hash of those inputs, so an unchanged tree reuses it.
#   scripts/train.sh               train if needed, print the model path
#   scripts/train.sh --force       train even if a model exists
#   scripts/train.sh --print-path  only print where the model for this tree lives
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
HASH=$(find config nlu_data nlu_components requirements/rasa.txt -type f \( -name '*.yml' -o -name '*.txt' -o -name '*.py' \) \
        -not -path '*/__pycache__/*' -print0 \
        | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
MODEL="$ROOT/models/model-$HASH.tar.gz"
if [ "${1:-}" = "--print-path" ]; then echo "$MODEL"; exit 0; fi
if [ -f "$MODEL" ] && [ "${1:-}" != "--force" ]; then
  echo "model up to date: $MODEL"; echo "$MODEL"; exit 0
fi
mkdir -p models
echo "==> training the Rasa model (data changed)"
start=$(date +%s)
TF_CPP_MIN_LOG_LEVEL=2 "$RASA" train --config config/config.yml --domain config/domain --data nlu_data \
  --out models --fixed-model-name "model-$HASH"
echo "==> trained in $(( $(date +%s) - start )) s"
echo "$MODEL"
