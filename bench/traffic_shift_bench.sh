#!/bin/sh
# traffic_shift_bench.sh - wall time and ELBv2 calls per step of a full 3+3 traffic shift
# (soak 0, 2 s deregistration delay, ELBv2 stand-in on 127.0.0.1), against the same walk
# typed with the AWS CLI (emulated: its waiters poll every 15 s; see traffic_shift_bench.py).
# usage: bench/traffic_shift_bench.sh [BUILD_DIR] (default build; needs the provider built,
# terraform and moto installed). Prints figures, never pass/fail.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
exec python3 "$src/bench/traffic_shift_bench.py" --provider "$build/terraform-provider-bluegreen"
