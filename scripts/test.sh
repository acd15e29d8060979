#!/usr/bin/env bash
# Runs the whole test suite: unit tests, the workflow core, parsers on fixtures and the
# shared corpus, end-to-end tests that drive the real binary, and the same against real
# Dovecot and Postfix on loopback (scripts/mailservers.sh).
# Usage: bash scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

# The corpus tests read ../shared/corpus; say so clearly when it is missing.
if [ ! -d ../shared/corpus ]; then
  echo "note: ../shared/corpus is missing; the corpus tests will fail. Put the shared folder beside this repository." >&2
fi

# The mail-server tests (tests/servers.rs) need Dovecot and Postfix: start them on loopback
# in a temp dir (installing the Debian packages when missing), stop them on exit. In CI a
# failure to start is an error; elsewhere the server tests then skip loudly.
started_mail=""
stop_mail() {
  if [ -n "$started_mail" ]; then
    LOKET_TEST_MAIL="$started_mail" bash scripts/mailservers.sh stop --clean || true
  fi
}
trap stop_mail EXIT
if [ -z "${LOKET_TEST_MAIL:-}" ]; then
  if out=$(bash scripts/mailservers.sh start); then
    eval "$out"
    started_mail=$LOKET_TEST_MAIL
  elif [ "${CI:-}" = "true" ]; then
    echo "error: the test mail servers did not start (see above); the server tests cannot run" >&2
    exit 1
  else
    echo "WARNING: the test mail servers did not start; the server tests will be SKIPPED" >&2
  fi
fi

# The meeting tests (tests/meeting.rs) parse every .ics loket makes with an independent
# parser: Python's `icalendar` package (scripts/check_ics.py). Install it when missing.
if ! python3 -c 'import icalendar' 2>/dev/null; then
  python3 -m pip install --quiet icalendar ||
    python3 -m pip install --quiet --break-system-packages icalendar
fi
python3 -c 'import icalendar' || {
  echo "error: python3 with the icalendar package is needed for tests/meeting.rs" >&2
  exit 1
}

# The record tests (tests/record.rs) read the PDFs loket makes with pdftotext, from Debian's
# poppler-utils, as a person's PDF reader would. Install it when missing (as root, as on the
# project's machines and in CI).
if ! command -v pdftotext >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing poppler-utils (pdftotext) for tests/record.rs" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends poppler-utils >&2
  fi
  command -v pdftotext >/dev/null || {
    echo "error: pdftotext is needed for tests/record.rs; install it: apt-get install poppler-utils" >&2
    exit 1
  }
fi

cargo test --locked "$@"
