#!/usr/bin/env bash
# Runs the whole test suite: unit tests, the workflow core, parsers on fixtures and the
# shared corpus, and end-to-end tests that drive the real binary.
# Usage: bash scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

# The corpus tests read ../shared/corpus; say so clearly when it is missing.
if [ ! -d ../shared/corpus ]; then
  echo "note: ../shared/corpus is missing; the corpus tests will fail. Put the shared folder beside this repository." >&2
fi

cargo test --locked "$@"
