#!/usr/bin/env bash
# Installs the independent PDF parser the invoice test reads our PDFs with: pypdf (PyPI, pinned
# below, pure Python) in .tools/pdf-venv, once; prints the venv's python. Safe to run from
# several test processes at once (flock). Fails, with the reason, when it cannot install.
set -euo pipefail
cd "$(dirname "$0")/.."

PYPDF_VERSION=7.1.1
VENV=.tools/pdf-venv
PY="$VENV/bin/python"

mkdir -p .tools
exec 9>.tools/pdf-venv.lock
flock 9
if ! "$PY" -c "import pypdf, sys; sys.exit(pypdf.__version__ != '$PYPDF_VERSION')" 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || { echo "pdf-venv: python3 -m venv failed (is python3-venv installed?)" >&2; exit 1; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "pypdf==$PYPDF_VERSION" >&2 ||
    { echo "pdf-venv: pip could not install pypdf==$PYPDF_VERSION from PyPI" >&2; exit 1; }
fi
echo "$PWD/$PY"
