#!/usr/bin/env bash
# The whole test suite: what CI runs (.ci/run) and what developers run before pushing.
#
#   0. format: clang-format --dry-run -Werror over every tracked C file (.clang-format)
#   1. release build (-Werror): unit, fuzz-corpus and end-to-end tests (real terraform, moto)
#   2. docs: the generated sections of docs/ match the built provider's schema, read with
#      `terraform providers schema -json` (scripts/gen_docs.py --check; when it fails, run
#      scripts/gen_docs.py and commit the result)
#   3. ASan + UBSan build: the same tests; the provider's own sanitizer reports fail the e2e test
#      that produced them
#   4. valgrind: unit tests, and a plan/apply/destroy cycle with the provider under memcheck
#   5. libFuzzer smoke run of every fuzz target (clang), BG_FUZZ_SECONDS each (default 20)
#
# Stages can be chosen: scripts/test.sh format release docs asan valgrind fuzz (default: all).
# Under CI=true the e2e tests refuse to skip.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(format release docs asan valgrind fuzz)
jobs=$(nproc)

scripts/deps.sh

banner() { printf '\n==== %s ====\n' "$*"; }

stage_format() {
  banner "format: clang-format --dry-run -Werror"
  # Generated protobuf code lives in build/ and is never tracked, so this is our code only.
  git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run -Werror
  echo "format clean: $(git ls-files '*.c' '*.h' | wc -l) files"
}

stage_release() {
  banner "release build: unit, fuzz corpus, e2e"
  BUILD_DIR=build scripts/build.sh
  (cd build && ctest -j"$jobs" --output-on-failure)
}

stage_docs() {
  banner "docs: generated sections of docs/ match the provider's schema"
  BUILD_DIR=build scripts/build.sh
  python3 scripts/gen_docs.py --check --provider build/terraform-provider-bluegreen
}

stage_asan() {
  banner "ASan+UBSan build: unit, fuzz corpus, e2e"
  BUILD_DIR=build-asan scripts/build.sh -DSANITIZE=address,undefined
  logs=$(mktemp -d)
  (cd build-asan &&
    BG_SANITIZER_LOGS="$logs" \
    ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1" \
    UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1" \
    LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0" \
    ctest -j"$jobs" --output-on-failure)
  rm -rf "$logs"
}

stage_valgrind() {
  banner "valgrind: unit tests and a provider plan/apply/destroy cycle"
  BUILD_DIR=build scripts/build.sh
  for t in build/unit_*; do
    [ -x "$t" ] && [ -f "$t" ] || continue # not the .valgrind.log files of an earlier run
    # valgrind does not know openat2 (the files engine falls back): keep its chatter in a log.
    if ! valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
      --trace-children=yes "$t" --jobs 1 >"$t.valgrind.log" 2>&1; then
      grep -v "syscall: 437\|handler\|README_MISSING\|consider this a bug\|bug_reports" \
        "$t.valgrind.log" | tail -60
      echo "valgrind found errors in $(basename "$t")" >&2
      exit 1
    fi
    echo "valgrind clean: $(basename "$t") ($(grep -o 'Tested: [0-9]*' "$t.valgrind.log"))"
  done
  logs=$(mktemp -d)
  (cd tests/e2e &&
    BG_PROVIDER_BINARY="$root/build/terraform-provider-bluegreen" \
    BG_PROVIDER_VERSION="$(sed -n 's/^#define BG_VERSION "\(.*\)"/\1/p' "$root/build/include/bluegreen/version.h")" \
    BG_SANITIZER_LOGS="$logs" \
    BG_PROVIDER_WRAPPER="valgrind --leak-check=full --log-file=$logs/vg.%p" \
    python3 -m unittest -v test_cluster_pair.ClusterPairLifecycle.test_promotion_changes_no_file_then_teardown_removes_old_cluster \
      test_cluster_pair.ClusterPairLifecycle.test_destroy_removes_only_generated_copies)
  rm -rf "$logs"
}

stage_fuzz() {
  banner "libFuzzer smoke run (${BG_FUZZ_SECONDS:-20} s per target)"
  BUILD_DIR=build-fuzz scripts/build.sh -DCMAKE_C_COMPILER=clang -DBG_FUZZ=ON -DBG_TESTS=OFF
  for f in build-fuzz/fuzz_*; do
    name=$(basename "$f"); name=${name#fuzz_}
    work=$(mktemp -d)
    if ! "$f" -max_total_time="${BG_FUZZ_SECONDS:-20}" -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$work/" "$work" "tests/fuzz/corpus/$name" >"$work/log" 2>&1; then
      tail -50 "$work/log"
      echo "fuzz target $name failed; the crashing input is in $work" >&2
      exit 1
    fi
    echo "fuzz clean: $name ($(grep -o 'number_of_executed_units: [0-9]*' "$work/log"))"
    rm -rf "$work"
  done
}

for s in "${stages[@]}"; do
  "stage_$s"
done
banner "all stages passed: ${stages[*]}"
