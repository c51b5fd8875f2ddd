#!/bin/sh
# Install coursebot with its test extras into .venv, lint, and run the whole test suite.
set -e
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test]' >/dev/null
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
