#!/usr/bin/env bash
# Installs the SMTP sink the e-mail adapter's test sends to: aiosmtpd (PyPI, pinned below) in
# .tools/smtp-venv, once; prints the venv's python. Safe to run from several test processes at
# once (flock). Fails, with the reason, when it cannot install (the test then fails, never skips).
set -euo pipefail
cd "$(dirname "$0")/.."

AIOSMTPD_VERSION=1.4.6
VENV=.tools/smtp-venv
PY="$VENV/bin/python"

mkdir -p .tools
exec 9>.tools/smtp-venv.lock
flock 9
if ! "$PY" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || { echo "smtp-sink-venv: python3 -m venv failed (is python3-venv installed?)" >&2; exit 1; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION" >&2 ||
    { echo "smtp-sink-venv: pip could not install aiosmtpd==$AIOSMTPD_VERSION from PyPI" >&2; exit 1; }
fi
echo "$PWD/$PY"
