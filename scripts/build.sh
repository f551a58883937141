#!/usr/bin/env bash
# Configures and builds into build/ (or $BUILD_DIR) with warnings as errors; extra arguments
# go to cmake's configure step. Quiet unless something fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
log="$build.log"
if ! { cmake -S . -B "$build" -DWERROR=ON "$@" && cmake --build "$build" -j"$(nproc)"; } \
    >"$log" 2>&1; then
  grep -E "error|Error|warning" "$log" | head -40 >&2 || tail -40 "$log" >&2
  echo "build failed ($build), full log: $log" >&2
  exit 1
fi
echo "built $build"
