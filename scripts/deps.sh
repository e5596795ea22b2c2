#!/usr/bin/env bash
# Install the Debian 12 packages spoor needs, but only those that are
# missing. Runs apt-get as root (or through sudo).
# Usage: scripts/deps.sh [--test] [extra-package...]
#   (none)  what building spoor and running its demo need
#   --test  also what the test suite, the fuzzers and the browser test need
#           (LibreOffice writer and xlwt for fixtures, Chromium, clang, ...)
set -euo pipefail

pkgs=(
  meson ninja-build pkg-config gcc libc6-dev
  libsqlite3-dev libzstd-dev libxxhash-dev libutf8proc-dev libgmime-3.0-dev
  libglib2.0-dev libxml2-dev libcmocka-dev
  libarchive-dev libfreexl-dev libmupdf-dev libopenjp2-7-dev libjbig2dec0-dev
  libjpeg-dev libgumbo-dev libmujs-dev libfreetype-dev libharfbuzz-dev
  zlib1g-dev libgsf-1-dev libwv-dev libpff-dev libbfio-dev libopendkim-dev libssl-dev nettle-dev nodejs
  libtesseract-dev libleptonica-dev tesseract-ocr-eng libpq-dev
  libmicrohttpd-dev
  python3
)
test_deps=0
if [ "${1:-}" = "--test" ]; then
  test_deps=1
  shift
  pkgs+=(openssl python3-xlwt libarchive-tools libreoffice-writer-nogui
         chromium clang libclang-rt-14-dev clang-format mupdf-tools strace
         postgresql-15)
fi
pkgs+=("$@")

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

install_browser_test_modules() {
  # playwright-core (pinned in tests/browser/package-lock.json) drives
  # Debian's chromium in the browser test; it downloads no browser.
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    echo "scripts/deps.sh: installing the browser test's node modules" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  [ $test_deps -eq 0 ] || install_browser_test_modules
  exit 0
fi

echo "scripts/deps.sh: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ $test_deps -eq 0 ] || install_browser_test_modules
