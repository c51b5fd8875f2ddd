#!/bin/sh
# Install coursebot into .venv and run it: on Discord when DISCORD_TOKEN is set,
# otherwise the offline console (arguments are passed on, e.g. --now "2024-09-17 09:00").
set -e
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e . >/dev/null
if [ -n "${DISCORD_TOKEN:-}" ]; then
  exec .venv/bin/python -m bot "$@"
fi
exec .venv/bin/python -m bot console "$@"
