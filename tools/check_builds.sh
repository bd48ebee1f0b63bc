#!/usr/bin/env bash
# Build the extensions as a debug build and as a sanitizer build, each from a clean copy
# of the source tree into its own fresh virtual environment, and run the whole test
# suite under each. Every extension that setup.py declares is built the same way.
#
#   debug     CONVPOOL_DEBUG=1: Cython bounds, wraparound and initialisation checks, -O0 -g
#   sanitize  CONVPOOL_SANITIZE=address,undefined: AddressSanitizer and
#             UndefinedBehaviorSanitizer (GCC or Clang), every finding fatal
#
# Usage: tools/check_builds.sh [debug|sanitize ...] [-- pytest arguments]
# Exits non-zero as soon as a variant's tests fail or a sanitizer reports.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"

variants=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do variants+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#variants[@]} -gt 0 ] || variants=(debug sanitize)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for variant in "${variants[@]}"; do
    case "$variant" in
        debug) build_env=(CONVPOOL_DEBUG=1) ;;
        sanitize) build_env=(CONVPOOL_SANITIZE=address,undefined) ;;
        *) echo "unknown variant: $variant (debug or sanitize)" >&2; exit 2 ;;
    esac
    echo "== $variant: build (${build_env[*]})"
    # A clean copy: no objects or generated C from another variant can leak in.
    src="$work/$variant/src"
    mkdir -p "$src"
    git -C "$root" ls-files -z --cached --others --exclude-standard \
        | (cd "$root" && xargs -0 tar -cf - --ignore-failed-read 2>/dev/null) | tar -xf - -C "$src"
    "$python" -m venv "$work/$variant/venv"
    py="$work/$variant/venv/bin/python"
    "$py" -m pip install --quiet --upgrade pip
    env "${build_env[@]}" "$py" -m pip install --quiet --no-cache-dir "$src[test]"

    run_env=()
    if [ "$variant" = sanitize ]; then
        # The interpreter is not instrumented, so the ASan runtime must be loaded first.
        # CPython keeps memory alive until exit by design: leak reports would be noise.
        cc="${CC:-gcc}"
        libasan="$("$cc" -print-file-name=libasan.so)"
        [ -f "$libasan" ] || { echo "no libasan.so for $cc" >&2; exit 1; }
        run_env=(
            LD_PRELOAD="$libasan"
            PYTHONMALLOC=malloc
            ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
        )
    fi
    echo "== $variant: python -m pytest $*"
    (cd "$src" && env "${run_env[@]}" "$py" -m pytest -p no:cacheprovider "$@")
done
echo "== clean: ${variants[*]}"
