#!/usr/bin/env bash
# Build convpool for aarch64 Linux on an x86-64 Debian or Ubuntu machine and run the
# test suite (the test-core extra, `-m "not slow"`) there under QEMU user-mode emulation.
#
#   - an arm64 Debian bookworm root, from debootstrap's first stage; its packages are
#     unpacked with dpkg-deb, since the second stage would need binfmt_misc;
#   - the root's python3.11 behind a host shell script that runs it under
#     qemu-aarch64-static, so that every child process (pip's build backend, the tests'
#     subprocesses) is emulated too;
#   - a virtual environment of that Python; NumPy, SciPy, Pillow... as aarch64 wheels;
#   - the extensions compiled by the host's cross compiler (aarch64-linux-gnu-gcc, with
#     the root as --sysroot), which runs natively when the emulated setuptools calls it;
#   - checks that the built modules are aarch64 code, that only the baseline build exists,
#     and that the tests ran it.
#
# Usage: tools/check_aarch64.sh [-- pytest arguments]   (default: -m "not slow")
#
# The root, the virtual environment and pip's cache live in CONVPOOL_AARCH64_DIR
# (default: ${XDG_CACHE_HOME:-~/.cache}/convpool-aarch64) and are reused by later runs;
# remove that folder to start afresh. DEBIAN_MIRROR chooses debootstrap's mirror
# (default: debootstrap's own). Missing host tools are installed with apt-get (as root).
# Exits non-zero if a check fails, the tests fail, or no test ran.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${CONVPOOL_AARCH64_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/convpool-aarch64}"
suite="bookworm"
pytest_args=(-m "not slow")
if [ $# -gt 0 ]; then
    [ "$1" = "--" ] || { echo "usage: $0 [-- pytest arguments]" >&2; exit 2; }
    shift
    pytest_args=("$@")
fi
start=$SECONDS
stage() { echo "== aarch64: $* ($((SECONDS - start)) s)"; }

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
root="$dir/root"
venv="$dir/venv"
export PIP_CACHE_DIR="$dir/pip-cache" PIP_DISABLE_PIP_VERSION_CHECK=1

# --- host tools -------------------------------------------------------------------------
missing=()
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
command -v file >/dev/null || missing+=(file)
if [ ${#missing[@]} -gt 0 ]; then
    stage "apt-get install ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing host packages: ${missing[*]} (run as root, or install them)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- the arm64 root ---------------------------------------------------------------------
if [ ! -e "$root/.convpool-complete" ]; then
    stage "debootstrap --foreign --arch=arm64 $suite $root"
    rm -rf "$root" "$venv"
    # gcc is not among the packages: the host's cross compiler builds; libc6-dev and
    # python3-dev are its sysroot's headers and libraries.
    debootstrap --foreign --arch=arm64 --variant=minbase \
        --include=python3,python3-dev,python3-venv,libc6-dev \
        "$suite" "$root" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} >"$dir/debootstrap.log" 2>&1 \
        || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
    # The first stage unpacked only the required packages: unpack the rest (keeping the
    # merged-/usr symlinks). Their maintainer scripts never run; none is needed here.
    for deb in "$root"/var/cache/apt/archives/*.deb; do
        dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root"
    done
    mv "$root/usr/bin/python3.11" "$root/usr/bin/python3.11.real"
    touch "$root/.convpool-complete"
fi
# The interpreter as a host script (rewritten each run: it names the folder). -0 "$0"
# makes sys.executable the path it was started by (a virtual environment's bin/python),
# so that the children Python starts come back through this script.
cat >"$root/usr/bin/python3.11" <<EOF
#!/bin/sh
exec qemu-aarch64-static -L "$root" -0 "\$0" "$root/usr/bin/python3.11.real" "\$@"
EOF
chmod +x "$root/usr/bin/python3.11"

# --- the virtual environment ------------------------------------------------------------
py="$venv/bin/python"
if [ ! -e "$venv/.convpool-complete" ]; then
    stage "python3 -m venv $venv (emulated)"
    rm -rf "$venv"
    "$root/usr/bin/python3" -m venv "$venv"
    "$py" -m pip install --quiet --upgrade pip
    touch "$venv/.convpool-complete"
fi

# --- build (a clean copy of the tracked files; the cross compiler runs natively) ---------
src="$dir/src"
rm -rf "$src" "$dir/report.xml"
mkdir -p "$src"
git -C "$repo" ls-files -z --cached --others --exclude-standard \
    | (cd "$repo" && xargs -0 tar -cf - --ignore-failed-read 2>/dev/null) | tar -xf - -C "$src"
# The build and run requirements and the test-core extra, from pyproject.toml, into the
# environment (nothing to do once they are there); then the build itself, without build
# isolation, so that a later run does not set up the build tools again under emulation.
python3 - "$src/pyproject.toml" >"$dir/requirements.txt" <<'EOF'
import sys
import tomllib

with open(sys.argv[1], "rb") as f:
    meta = tomllib.load(f)
print("\n".join(meta["build-system"]["requires"] + meta["project"]["dependencies"]
                + meta["project"]["optional-dependencies"]["test-core"]))
EOF
stage "pip install -r requirements.txt (emulated): $(tr '\n' ' ' <"$dir/requirements.txt")"
"$py" -m pip install --quiet -r "$dir/requirements.txt"
cc="aarch64-linux-gnu-gcc --sysroot=$root"
stage "pip install --no-build-isolation . (CC=\"$cc\")"
CC="$cc" LDSHARED="$cc -shared" \
    "$py" -m pip install --quiet --no-build-isolation --no-deps --force-reinstall "$src"

# --- checks: aarch64 code, the baseline build only --------------------------------------
stage "checks"
site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')"
modules=("$site"/convpool/*.so)
[ -e "${modules[0]}" ] || { echo "no compiled module in $site/convpool" >&2; exit 1; }
for so in "${modules[@]}"; do
    description="$(file -b "$so")"
    echo "$(basename "$so"): $description"
    case "$description" in
        *"ELF 64-bit LSB shared object, ARM aarch64"*) ;;
        *) echo "not an aarch64 shared object: $so" >&2; exit 1 ;;
    esac
done
(cd "$dir" && "$py" - <<'EOF'
import platform
import sys

import convpool
from convpool import _config, _conv

machine = platform.machine()
builds = sorted(_config.BUILDS)
modules = {name: module.__file__ for build in _config.BUILDS.values()
           for name, module in (("conv", _conv), ("conv rows", build.conv.rows), ("pool", build.pool))}
print(f"python {platform.python_version()} on {machine}, convpool {convpool.__version__},"
      f" builds {builds}: {sorted(modules.values())}")
problems = []
if machine != "aarch64":
    problems.append(f"platform.machine() is {machine!r}")
if builds != ["baseline"]:
    problems.append(f"builds {builds}, expected the baseline only")
if not all(path.endswith(".so") and "aarch64-linux-gnu" in path for path in modules.values()):
    problems.append(f"kernel modules {modules} are not aarch64 extensions")
if problems:
    sys.exit("; ".join(problems))
EOF
)

# --- the test suite ---------------------------------------------------------------------
stage "python -m pytest ${pytest_args[*]} (emulated)"
set +e
(cd "$src" && "$py" -m pytest -p no:cacheprovider --junitxml="$dir/report.xml" "${pytest_args[@]}") 2>&1 \
    | tee "$dir/pytest.log"
status=${PIPESTATUS[0]}
set -e
stage "pytest exit $status"
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing" >&2
    exit 1
fi
[ "$status" -eq 0 ] || exit "$status"
# The tests ran the compiled kernels: the `build` fixture's runs are all "baseline".
python3 - "$dir/report.xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET

cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
# The parameters' ids of each test that ran (not skipped): "test_x[baseline-uint8]".
ran = [c.get("name").partition("[")[2] for c in cases if c.find("skipped") is None]
baseline = sum("baseline" in ids for ids in ran)
avx2 = sum("avx2" in ids for ids in ran)
print(f"aarch64: {len(ran)} tests ran, {baseline} of them with the baseline build fixture")
if not baseline or avx2:
    sys.exit(f"expected runs of the baseline build and none of avx2 ({baseline}, {avx2})")
EOF
stage "passed"
# The suite's counts, last.
tail -n 1 "$dir/pytest.log"
