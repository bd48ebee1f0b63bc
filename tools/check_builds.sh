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
    env "${build_env[@]}" "$py" -m pip install --quiet "$src[test]"

    run_env=()
    extra=()
    if [ "$variant" = sanitize ]; then
        # OpenCV aborts when it throws its C++ exception (refusing BORDER_WRAP) with the
        # ASan runtime preloaded into an uninstrumented interpreter: a crash inside
        # OpenCV, not convpool, so that one test runs in the other variant only.
        extra=(--deselect tests/test_modes.py::test_opencv_filter2d_has_no_wrap)
        # Matplotlib's C++ extensions abort at import the same way (seen importing
        # matplotlib.ft2font): the tests that draw the documentation's plots and run its
        # gallery and notebook run in the other variant only. They call convpool's public
        # functions, which the kernel tests cover here.
        extra+=(--ignore tests/test_plots.py --ignore tests/test_gallery.py --ignore tests/test_notebook.py
                --deselect tests/test_docs.py::test_performance_page_renders_every_results_file)
        # The interpreter is not instrumented, so the ASan runtime must be loaded first.
        # CPython keeps memory alive until exit by design: leak reports would be noise.
        cc="${CC:-gcc}"
        libasan="$("$cc" -print-file-name=libasan.so)"
        [ -f "$libasan" ] || { echo "no libasan.so for $cc" >&2; exit 1; }
        # Reports go to files: pytest captures stderr, and a halted process loses it.
        # ASan aborts on an allocation over 1 TiB unless told to return NULL, which
        # convpool must turn into MemoryError like any other failed allocation.
        logs="$work/$variant/report"
        run_env=(
            LD_PRELOAD="$libasan"
            PYTHONMALLOC=malloc
            ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:log_path=$logs"
            UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs"
        )
    fi
    echo "== $variant: python -m pytest $*"
    status=0
    (cd "$src" && env "${run_env[@]}" "$py" -m pytest -p no:cacheprovider "${extra[@]}" "$@") || status=$?
    # Warnings (such as a refused huge allocation, which must become MemoryError) pass.
    if grep -qsE "ERROR: |runtime error: " "$work/$variant"/report.*; then
        cat "$work/$variant"/report.*
        echo "== $variant: the sanitizers reported the errors above" >&2
        exit 1
    fi
    if [ "$status" -ne 0 ]; then
        cat "$work/$variant"/report.* 2>/dev/null || true  # whatever a sanitizer said before the halt
        echo "== $variant: tests failed (exit $status)" >&2
        exit "$status"
    fi
done
echo "== clean: ${variants[*]}"
