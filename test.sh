#!/bin/sh
# Install coursebot with its test extras into .venv, lint, type-check bot/, and run the whole test suite.
set -e
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test]' >/dev/null
.venv/bin/ruff check .
.venv/bin/mypy --no-error-summary
exec .venv/bin/python -m pytest "$@"
