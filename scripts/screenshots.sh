#!/usr/bin/env bash
# Runs the kiosk demo under a virtual X server and saves its main screens
# as PNGs in docs/screenshots/<width>x<height>/, once for each display a
# kiosk or a counter has (the README shows the landscape and portrait
# kiosk's). `make screenshots`; `scripts/screenshots.sh DIR SIZE...` for
# other sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
shift || true
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
  sizes=(1920x1080 1080x1920 1366x768 1600x900 1280x1024)
fi
scripts/deps.sh xvfb
bin=$(mktemp -d)/kiosk
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/kiosk
for size in "${sizes[@]}"; do
  w=${size%x*} h=${size#*x}
  mkdir -p "$out/$size"
  # LANG=C on purpose: the C locale must not break start-up or Chinese.
  # The screen is larger than the window: the simulator's window is
  # saved too.
  LANG=C LC_ALL=C xvfb-run -a -s "-screen 0 $((w > 2200 ? w : 2200))x$((h > 1300 ? h : 1300))x24" \
    "$bin" --demo --screenshots "$out/$size" --width "$w" --height "$h" --idle 1s
  ls -l "$out/$size"
done
