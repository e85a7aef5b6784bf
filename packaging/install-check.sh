#!/usr/bin/env bash
# Install the built .deb for real, the way a technician does (apt resolves
# its dependencies), check that the three programs run and that the udev
# rule, desktop entry and systemd unit landed, then purge it again and
# check that nothing is left. It changes the machine while it runs, so it
# is for CI and throwaway machines; it needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t out/package/suishen-kiosk_*_amd64.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "install-check: no .deb in out/package (run make package)" >&2; exit 1; }
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

if dpkg-query -W -f='${Status}' suishen-kiosk 2>/dev/null | grep -q "install ok installed"; then
  echo "install-check: suishen-kiosk is already installed here; refusing to replace it" >&2
  exit 1
fi
trap '"${sudo[@]}" apt-get purge -y -qq suishen-kiosk >/dev/null 2>&1 || true' EXIT

echo "install-check: installing $deb"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
for p in kiosk kioskctl codeservice; do
  out=$("/usr/bin/$p" --version 2>/dev/null)
  echo "  /usr/bin/$p --version: $out"
  [ -n "$out" ] || { echo "install-check: $p --version printed nothing" >&2; exit 1; }
done
for f in /usr/lib/udev/rules.d/60-suishen-kiosk.rules \
         /usr/share/applications/suishen-kiosk.desktop \
         /usr/lib/systemd/system/suishen-codeservice.service; do
  [ -f "$f" ] || { echo "install-check: $f missing after install" >&2; exit 1; }
done
getent passwd suishen-codeservice >/dev/null || { echo "install-check: the service account was not created" >&2; exit 1; }

"${sudo[@]}" apt-get purge -y -qq suishen-kiosk >/dev/null
trap - EXIT
for p in kiosk kioskctl codeservice; do
  [ ! -e "/usr/bin/$p" ] || { echo "install-check: /usr/bin/$p left after purge" >&2; exit 1; }
done
! getent passwd suishen-codeservice >/dev/null || { echo "install-check: the service account was left after purge" >&2; exit 1; }
echo "install-check: installed, ran, purged cleanly"
