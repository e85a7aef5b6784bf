#!/usr/bin/env bash
# Builds the kiosk's release packages on a Debian/Ubuntu amd64 machine:
#
#   out/package/suishen-kiosk_<debversion>_amd64.deb     Linux kiosks
#   out/package/suishen-kiosk-setup-<version>.exe        Windows installer (NSIS)
#   out/package/windows/{kiosk,kioskctl,codeservice}.exe the Windows programs
#   out/package/VERSION, SHA256SUMS                     versions used, checksums
#
# The Windows programs are cross-compiled with MinGW (cgo: Fyne's GLFW and
# mattn/go-sqlite3). Every binary is stamped with the version from
# `git describe` and answers --version. See packaging/PACKAGING.md.
#
# Usage: packaging/build.sh [--only deb|windows] [--out DIR]
# Environment: VERSION (default: git describe), GO (default: go),
#              SKIP_DEPS=1 (do not call scripts/deps.sh),
#              KEEP_WORK=1 (keep the intermediate files in out/package/.work).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

only=""
out="$repo/out/package"
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only=${2:?--only needs deb or windows}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --print-versions) print_versions=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$repo/packaging/build.sh" | sed '$d'; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
case "$only" in ""|deb|windows) ;; *) echo "build.sh: --only takes deb or windows, not $only" >&2; exit 2 ;; esac

GO=${GO:-go}
module=github.com/shcommunity/kiosk
pkgname=suishen-kiosk
cmds=(kiosk kioskctl codeservice)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# --- Versions ------------------------------------------------------------
# VERSION is what --version prints (git describe: v1.2.3, v1.2.3-4-gabc1234,
# abc1234-dirty). Debian needs a version that starts with a digit and sorts
# right; Windows needs four 16-bit numbers.
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}

deb_version() {
  local v=${1#v} dirty=""
  case "$v" in *-dirty) dirty=1; v=${v%-dirty} ;; esac
  if [[ "$v" =~ ^([0-9]+(\.[0-9]+)*)(-([0-9]+)-g([0-9a-f]+))?$ ]]; then
    v=${BASH_REMATCH[1]}
    [ -n "${BASH_REMATCH[3]}" ] && v="$v+${BASH_REMATCH[4]}.g${BASH_REMATCH[5]}"
    if [ -n "$dirty" ]; then
      case "$v" in *+*) v="$v.dirty" ;; *) v="$v+dirty" ;; esac
    fi
  else
    # No release tag yet: sort below any 0.x release.
    v="0~git.$(printf '%s' "$v" | tr -c 'A-Za-z0-9.+~\n' '.')"
    [ -n "$dirty" ] && v="$v.dirty"
  fi
  printf '%s\n' "$v"
}

win_version() {
  local v=${1#v} a=0 b=0 c=0 d=0
  v=${v%-dirty}
  if [[ "$v" =~ ^([0-9]+)(\.([0-9]+))?(\.([0-9]+))?(-([0-9]+)-g[0-9a-f]+)?$ ]]; then
    a=${BASH_REMATCH[1]} b=${BASH_REMATCH[3]:-0} c=${BASH_REMATCH[5]:-0} d=${BASH_REMATCH[7]:-0}
  fi
  for n in a b c d; do [ "${!n}" -gt 65535 ] && printf -v "$n" 65535; done
  printf '%d.%d.%d.%d\n' "$a" "$b" "$c" "$d"
}

DEB_VERSION=$(deb_version "$VERSION")
WIN_VERSION=$(win_version "$VERSION")
if [ -n "${print_versions:-}" ]; then
  printf 'version=%s\ndeb=%s\nwindows=%s\n' "$VERSION" "$DEB_VERSION" "$WIN_VERSION"
  exit 0
fi

# --- Tools ---------------------------------------------------------------
if [ -z "${SKIP_DEPS:-}" ]; then
  # libpcsclite-dev: cgo builds github.com/ebfe/scard against it on Linux;
  # on Windows it loads winscard.dll at run time and needs nothing here.
  want=(gcc libc6-dev pkg-config libgl1-mesa-dev xorg-dev libasound2-dev libpcsclite-dev)
  [ "$only" != windows ] && want+=(dpkg-dev desktop-file-utils)
  [ "$only" != deb ] && want+=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis)
  scripts/deps.sh "${want[@]}"
fi

# The real programs must exist: a package without the kiosk is no package.
for c in "${cmds[@]}"; do
  "$GO" list "./cmd/$c" >/dev/null 2>&1 ||
    die "./cmd/$c does not build as a package ($("$GO" list "./cmd/$c" 2>&1 | head -n 3 | tr '\n' ' '))"
done

work="$out/.work"
rm -rf "$work"
mkdir -p "$work" "$out"
ldx="-X $module/internal/version.Version=$VERSION"
start=$SECONDS

say "version $VERSION (deb $DEB_VERSION, windows $WIN_VERSION)"
"$GO" run ./packaging/internal/mkicon -out "$work/icons"

# --- Windows -------------------------------------------------------------
build_windows() {
  local w="$work/windows" dist="$out/windows"
  mkdir -p "$w" "$dist"
  cp "$work/icons/kiosk.ico" "$w/kiosk.ico"
  local c desc gui
  for c in "${cmds[@]}"; do
    case "$c" in
      kiosk) desc="随申码自助服务终端 Suishen health code kiosk"; gui=1 ;;
      kioskctl) desc="随申码终端现场工具 Kiosk field tool"; gui="" ;;
      codeservice) desc="随申码参考服务 Reference code service"; gui="" ;;
    esac
    sed -e "s|@NAME@|$c|g" -e "s|@DESCRIPTION@|$desc|g" \
        -e "s|@VERSION@|$VERSION|g" -e "s|@WINVERSION@|$WIN_VERSION|g" \
        -e "s|@WINVERSION_COMMAS@|${WIN_VERSION//./,}|g" \
        packaging/windows/app.rc.in >"$w/$c.rc"
    sed -e "s|@NAME@|$c|g" -e "s|@WINVERSION@|$WIN_VERSION|g" \
        packaging/windows/app.manifest.in >"$w/$c.exe.manifest"
    # windres writes a COFF object; Go would pick up a .syso in the
    # package directory, but that directory is not the packager's to
    # write into (and -overlay does not carry .syso files), so the object
    # goes to the external linker directly.
    (cd "$w" && x86_64-w64-mingw32-windres -c 65001 -O coff -i "$c.rc" -o "rsrc_$c.syso")
    say "windows: $c.exe"
    # -static: no libgcc or winpthread DLLs to ship beside the exe.
    local ld="$ldx -s -w -linkmode=external '-extldflags=-static $w/rsrc_$c.syso'"
    [ -n "$gui" ] && ld="-H=windowsgui $ld"
    CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ GOOS=windows GOARCH=amd64 \
      "$GO" build -trimpath -ldflags "$ld" -o "$dist/$c.exe" "./cmd/$c"
  done
  say "windows: installer"
  rm -f "$out/$pkgname-setup-"*.exe
  makensis -V2 -INPUTCHARSET UTF8 \
    -DVERSION="$VERSION" -DWINVERSION="$WIN_VERSION" \
    -DSRCDIR="$dist" -DICON="$w/kiosk.ico" \
    -DOUTFILE="$out/$pkgname-setup-$VERSION.exe" \
    packaging/windows/kiosk.nsi
}

# --- Debian --------------------------------------------------------------
build_deb() {
  local root="$work/deb/root" bin="$work/linux"
  mkdir -p "$bin"
  for c in "${cmds[@]}"; do
    say "linux: $c"
    CGO_ENABLED=1 "$GO" build -trimpath -ldflags "$ldx -s -w" -o "$bin/$c" "./cmd/$c"
  done
  say "deb: staging"
  install -d -m 0755 "$root/DEBIAN" "$root/usr/bin"
  install -m 0755 "$bin/kiosk" "$bin/kioskctl" "$bin/codeservice" "$root/usr/bin/"
  local L=packaging/linux
  install -D -m 0644 "$L/suishen-kiosk.desktop" "$root/usr/share/applications/suishen-kiosk.desktop"
  install -D -m 0644 "$L/suishen-kiosk-autostart.desktop" "$root/usr/share/suishen-kiosk/autostart/suishen-kiosk-autostart.desktop"
  local s
  for s in 16 24 32 48 64 128 256; do
    install -D -m 0644 "$work/icons/kiosk-$s.png" "$root/usr/share/icons/hicolor/${s}x${s}/apps/suishen-kiosk.png"
  done
  install -D -m 0644 "$L/60-suishen-kiosk.rules" "$root/usr/lib/udev/rules.d/60-suishen-kiosk.rules"
  install -D -m 0644 "$L/suishen-codeservice.service" "$root/usr/lib/systemd/system/suishen-codeservice.service"
  install -D -m 0644 "$L/suishen-codeservice.sysusers" "$root/usr/lib/sysusers.d/suishen-codeservice.conf"
  install -D -m 0644 "$L/suishen-codeservice.default" "$root/etc/default/suishen-codeservice"
  install -D -m 0644 "$L/copyright" "$root/usr/share/doc/$pkgname/copyright"
  install -D -m 0644 assets/fonts/OFL.txt "$root/usr/share/doc/$pkgname/OFL.txt"
  install -D -m 0644 packaging/PACKAGING.md "$root/usr/share/doc/$pkgname/PACKAGING.md"
  printf '%s (%s) unstable; urgency=medium\n\n  * Build of %s.\n\n -- Suishen kiosk packaging <kiosk@shcommunity.invalid>  %s\n' \
    "$pkgname" "$DEB_VERSION" "$VERSION" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" |
    gzip -9n >"$root/usr/share/doc/$pkgname/changelog.gz"
  chmod 0644 "$root/usr/share/doc/$pkgname/changelog.gz"
  install -m 0755 "$L/postinst" "$L/prerm" "$L/postrm" "$root/DEBIAN/"
  printf '/etc/default/suishen-codeservice\n' >"$root/DEBIAN/conffiles"
  chmod 0644 "$root/DEBIAN/conffiles"

  # Shared-library dependencies, as dpkg-shlibdeps finds them for the
  # binaries (libGL and libX11 for Fyne, libasound2 for the spoken prompts,
  # libc for cgo); control.in adds the X libraries GLFW opens at run time
  # (dlopen), which it cannot see.
  local depends
  mkdir -p "$work/deb/shlibs/debian"
  printf 'Source: %s\n\nPackage: %s\nArchitecture: amd64\n' "$pkgname" "$pkgname" >"$work/deb/shlibs/debian/control"
  depends=$(cd "$work/deb/shlibs" && dpkg-shlibdeps -O -e"$root/usr/bin/kiosk" -e"$root/usr/bin/kioskctl" -e"$root/usr/bin/codeservice" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
  [ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies"

  sed -e "s|@VERSION@|$DEB_VERSION|g" -e "s|@DEPENDS@|$depends|g" \
      -e "s|@INSTALLED_SIZE@|$(du -sk --exclude=DEBIAN "$root" | cut -f1)|g" \
      "$L/control.in" >"$root/DEBIAN/control"
  chmod 0644 "$root/DEBIAN/control"
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/md5sums"

  desktop-file-validate "$root/usr/share/applications/suishen-kiosk.desktop"
  desktop-file-validate "$root/usr/share/suishen-kiosk/autostart/suishen-kiosk-autostart.desktop"
  rm -f "$out/${pkgname}"_*_amd64.deb
  dpkg-deb --build --root-owner-group -Zxz "$root" "$out/${pkgname}_${DEB_VERSION}_amd64.deb" >/dev/null
  say "deb: $out/${pkgname}_${DEB_VERSION}_amd64.deb"
}

if [ "$only" != windows ]; then build_deb; fi
if [ "$only" != deb ]; then build_windows; fi

printf 'version=%s\ndeb=%s\nwindows=%s\n' "$VERSION" "$DEB_VERSION" "$WIN_VERSION" >"$out/VERSION"
(cd "$out" && find . -maxdepth 2 -type f \( -name '*.deb' -o -name '*.exe' \) -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$out/SHA256SUMS"
[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
say "done in $((SECONDS - start)) s"
(cd "$out" && find . -maxdepth 2 -type f \( -name '*.deb' -o -name '*.exe' \) -printf '%s\t%P\n' | sort -k2 |
  awk -F'\t' '{printf "    %8.1f MiB  %s\n", $1/1048576, $2}') >&2
