#!/usr/bin/env bash
# Runs the kiosk demo under a virtual X server and saves its main screens
# as PNGs in docs/screenshots/ (the README shows them). `make screenshots`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
scripts/deps.sh xvfb
mkdir -p "$out"
bin=$(mktemp -d)/kiosk
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/kiosk
# LANG=C on purpose: the C locale must not break start-up or Chinese.
LANG=C LC_ALL=C xvfb-run -a -s "-screen 0 2200x1300x24" \
  "$bin" --demo --screenshots "$out" --width 1920 --height 1080 --idle 1s
ls -l "$out"
