#!/bin/sh
# Runs the benchmark. Its paste measurement presses the browser's own shortcut, which needs a
# headful browser: without a display, it runs inside a virtual X server (xvfb-run).
set -eu
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  exec xvfb-run --auto-servernum --server-args='-screen 0 1280x1024x24' sh "$0" "$@"
fi
# The unit tests' config: it carries wxt.config.ts's import aliases, which the password code uses.
exec vite-node -c vitest.config.ts tests/bench/bench.ts "$@"
