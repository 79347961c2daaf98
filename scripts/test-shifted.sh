#!/usr/bin/env bash
# Runs the integration tests with moto_server's clock moved by libfaketime (default +400d), so a
# test that relates a time moto stamped to the wall clock or to a fixed date fails here.
#   scripts/test-shifted.sh            # +400d
#   scripts/test-shifted.sh -30d       # a month back
set -euo pipefail
cd "$(dirname "$0")/.."
offset=${1:-+400d}
command -v faketime >/dev/null || { echo "test-shifted: faketime is required (Debian/Ubuntu: apt-get install faketime)" >&2; exit 1; }
real=$(command -v moto_server) || { echo "test-shifted: moto_server is required: pip install 'moto[server]'" >&2; exit 1; }
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
printf '#!/bin/sh\nexec faketime -f %s %s "$@"\n' "$offset" "$real" >"$shim/moto_server"
chmod +x "$shim/moto_server"
echo "test-shifted: moto_server runs at $(PATH="$shim:$PATH" faketime -f "$offset" date -u +%Y-%m-%dT%H:%MZ)" >&2
PATH="$shim:$PATH" ${GO:-go} test -count=1 -timeout 20m ./test/...
