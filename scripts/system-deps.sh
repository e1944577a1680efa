#!/usr/bin/env bash
# Installs the Debian packages the tests drive, if missing: exiftool (as "another tool"
# that edits metadata) and Chromium (the browser tests; never one downloaded by npm).
set -euo pipefail
missing=()
command -v "${SNAPSEAL_CHROMIUM:-chromium}" >/dev/null 2>&1 || missing+=(chromium)
command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
((${#missing[@]} == 0)) && exit 0
echo "installing system packages for the tests: ${missing[*]}"
run=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
  run=(sudo)
fi
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
