#!/bin/sh
# Runs the end-to-end tests. The paste tests use Chromium's own context menu and keyboard
# shortcuts, which exist only in a headful browser: without a display, everything runs inside a
# virtual X server (Debian packages xvfb, xauth and xdotool).
set -eu
if [ -z "${DISPLAY:-}" ]; then
  if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "The end-to-end tests need an X display, or xvfb-run to start one (apt-get install xvfb xauth xdotool)." >&2
    exit 1
  fi
  exec xvfb-run --auto-servernum --server-args='-screen 0 1280x1024x24' sh "$0" "$@"
fi
exec vitest run --config vitest.e2e.config.ts "$@"
