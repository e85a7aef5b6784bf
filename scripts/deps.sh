#!/usr/bin/env bash
# Install the Debian packages the build and the tests need, only those that
# are missing. Works as root and, for other users, through sudo. With
# arguments, installs those packages instead of the default list.
set -euo pipefail

# gcc and libc6-dev: cgo, needed by mattn/go-sqlite3, Fyne and -race.
# libgl1-mesa-dev and xorg-dev: the OpenGL and X11 headers Fyne builds against.
# libasound2-dev: the ALSA headers the sound output (Oto) builds against.
# espeak-ng: renders the spoken prompts (make voice); a test renders a few again.
# postgresql: the server the code service's tests start in a temporary
# directory (codesvc/store/pgstore/pgtest); it also creates the postgres
# user those tests run it as when they run as root.
# libpcsclite-dev: the PC/SC library github.com/ebfe/scard builds against.
# pcscd and vsmartcard-vpcd: the tests read a virtual social-security card
# through a private pcscd with the vpcd reader driver (test-only: neither
# is a dependency of the kiosk's package, which only recommends pcscd).
# xvfb: the tests run the kiosk's window on a private virtual X server
# (internal/x11test) to close it and check how it stops; make screenshots
# draws the screens there.
default=(gcc libc6-dev pkg-config libgl1-mesa-dev xorg-dev libasound2-dev espeak-ng postgresql libpcsclite-dev pcscd vsmartcard-vpcd xvfb)
want=("${@:-${default[@]}}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
