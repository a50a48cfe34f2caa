#!/bin/sh
# Install the system packages stationmap needs, when they are missing, with apt-get
# (as root, or with password-less sudo). Never downloads anything but Debian packages.
#
#   sh scripts/install-system-deps.sh          SpatiaLite and Python's venv (make run)
#   sh scripts/install-system-deps.sh browser  also headless Chromium, CJK fonts and GDAL's
#                                              ogrinfo/ogr2ogr (make test opens exports with them)
#
# Without apt-get (macOS) it says what to install; the browser tests then skip locally.
set -eu

PYTHON=${PYTHON:-python3}
missing=""

has_spatialite() {
    for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib /usr/local/lib \
               /opt/homebrew/lib; do
        ls "$dir"/mod_spatialite.* >/dev/null 2>&1 && return 0
    done
    return 1
}

has_spatialite || missing="$missing libsqlite3-mod-spatialite"
"$PYTHON" -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv"
if [ "${1:-}" = "browser" ]; then
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    [ -d /usr/share/fonts/opentype/noto ] || missing="$missing fonts-noto-cjk"
    command -v ogr2ogr >/dev/null 2>&1 || missing="$missing gdal-bin"
fi

[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "stationmap needs:$missing" >&2
    echo "On macOS: brew install libspatialite gdal (the browser tests skip without Debian's chromium)." >&2
    case "$missing" in *spatialite*|*venv*) exit 1 ;; esac
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "stationmap needs the Debian packages:$missing" >&2
    echo "Run: sudo apt-get install -y$missing   (then run make again)" >&2
    exit 1
fi

echo "installing system packages:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
