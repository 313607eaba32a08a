#!/usr/bin/env bash
# Installs the independent NACHA parser the payroll-file test checks our files with: achkit
# (PyPI, pinned below) in .tools/nacha-venv, once; prints the venv's python. Safe to run from
# several test processes at once (flock). Fails, with the reason, when it cannot install.
set -euo pipefail
cd "$(dirname "$0")/.."

ACHKIT_VERSION=0.2.0
VENV=.tools/nacha-venv
PY="$VENV/bin/python"

mkdir -p .tools
exec 9>.tools/nacha-venv.lock
flock 9
if ! "$PY" -c "import achkit, sys; sys.exit(achkit.__version__ != '$ACHKIT_VERSION')" 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || { echo "nacha-venv: python3 -m venv failed (is python3-venv installed?)" >&2; exit 1; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "achkit==$ACHKIT_VERSION" >&2 ||
    { echo "nacha-venv: pip could not install achkit==$ACHKIT_VERSION from PyPI" >&2; exit 1; }
fi
echo "$PWD/$PY"
