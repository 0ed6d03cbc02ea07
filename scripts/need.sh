#!/usr/bin/env bash
# need.sh COMMAND PACKAGE [COMMAND PACKAGE ...]: installs each Debian PACKAGE
# whose COMMAND is missing (a COMMAND starting with / is a file that must
# exist, for packages with no command on PATH, such as libc6-dev-arm64-cross). Used by `make demo` and `make test` so that a fresh
# machine needs nothing but Go and gcc.
set -euo pipefail
missing=()
while [ $# -ge 2 ]; do
  case "$1" in
  /*) [ -e "$1" ] || missing+=("$2") ;;
  *) command -v "$1" >/dev/null 2>&1 || missing+=("$2") ;;
  esac
  shift 2
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} (Debian packages)..." >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "need.sh: error: ${missing[*]} not installed and not root" >&2
    echo "need.sh: hint: run 'apt-get install -y ${missing[*]}' as root" >&2
    exit 3
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
