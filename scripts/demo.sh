#!/bin/sh
# make demo: see scripts/demo.py.
set -eu
cd "$(dirname "$0")/.."
exec python3 scripts/demo.py "$@"
