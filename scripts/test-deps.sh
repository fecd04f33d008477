#!/usr/bin/env bash
# test-deps.sh — installs, from Debian packages, what `make test` needs and a
# fresh machine lacks, so no test is skipped: Chromium (the /docs browser test),
# poppler-utils (pdftotext/pdftoppm: the PDF tests), docker-compose (the
# compose file check). One `apt-get update`, only when something is missing.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ] || [ -x "/usr/sbin/$1" ]; }
have chromium || need+=(chromium)
have pdftotext || need+=(poppler-utils)
have docker-compose || need+=(docker-compose)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing ${need[*]} and no apt-get here: install them and run again" >&2
  exit 1
fi
echo "test-deps: installing ${need[*]} from Debian packages"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# A policy-rc.d answering 101 keeps packages from starting services of their own.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy"
fi
rc=0
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || rc=$?
[ -z "$policy" ] || $sudo rm -f "$policy"
[ "$rc" -eq 0 ] || { echo "test-deps: installing ${need[*]} failed (apt-get exit $rc)" >&2; exit 1; }
