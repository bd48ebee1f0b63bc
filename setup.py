"""Build description of convpool's compiled kernels; all metadata lives in pyproject.toml.

Set ``CONVPOOL_DEBUG=1`` at build time to turn Cython's bounds and wraparound checks
back on (a debug build for the test suite); release builds run without them.
Set ``CONVPOOL_SANITIZE=address,undefined`` (GCC/Clang) to compile and link the
extensions with those sanitizers; ``tools/check_builds.sh`` runs the tests under both.

The kernels' source is Tempita templates, expanded here into the ``.pxi`` files that the
modules include (with ``_types.pxd.in``, the shared pixel types; every template gets the
one table of pixel types, ``_kinds.py``; the variants that differ only in a literal or an
operator are written once in the template); the hand-written vector code is C in the
``_simd_*.h`` headers beside them, one function per operation, its body written once for
any vector width. Only what touches rows of pixels is compiled per target:

- ``convpool._conv`` (``_conv.pxi.in``, ``_sep.pxi.in``, ``_bank.pxi.in``): the
  convolution entry points and drivers, compiled once;
- ``convpool._conv_rows`` (``_conv_rows.pxi.in``, ``_sep_rows.pxi.in``,
  ``_bank_rows.pxi.in``): convolution's row functions, as one table (``_rows.pxd``);
- ``convpool._pool`` (``_pool.pxi.in``): the pooling kernels, whose drivers are still
  fused with their rows.

Cython translates each module once; on x86-64 with GCC or Clang (not Windows) the C of
``_conv_rows`` is compiled three times, once per target, and that of ``_pool`` twice:

- ``baseline`` (``_conv_rows``, ``_pool``): for any CPU of the platform;
- ``avx2`` (``_conv_rows_avx2``, ``_pool_avx2``): ``-mavx2 -mfma``;
- ``avx512`` (``_conv_rows_avx512``): ``-mavx512f -mavx512bw -mavx512vl -mavx512dq
  -mfma``. AVX-512 CPUs run the AVX2 build of the pooling kernels (``_config.py``).

A target's module is a two-line C file written here, which renames the module's init
function and includes the family's C: one translation, compiled with each target's flags.
convpool imports the best target the CPU and the OS support (``_cpu.h``). Never
``-march=native``: a wheel must run on every CPU of its platform. Elsewhere (MSVC, ARM)
only the baseline is built. The kernels read every array through the buffer protocol
as raw bytes (no typed memoryviews), so each module carries only the little of Cython's
support code it uses: no shared utility module (which would hold all of it, memoryviews
included: 0.9 MB of C and a fifth of the build).
"""

import os
import runpy
import sysconfig
from pathlib import Path

from Cython.Build import cythonize
from Cython.Tempita import Template
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

PACKAGE = Path(__file__).parent / "src" / "convpool"

DEBUG = os.environ.get("CONVPOOL_DEBUG", "") not in ("", "0")
SANITIZE = os.environ.get("CONVPOOL_SANITIZE", "")

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": True,
    "freethreading_compatible": True,
    "autotestdict": False,
    # The compiled entry points are private (the Python layer binds them with
    # functools.partial): plain builtin functions, not Cython's function objects, whose
    # support code was a sixteenth of the generated C (185 kB) and 40 kB of the wheel.
    "binding": False,
    # The kernels' source is not copied into the C as comments: it would double its size.
    "emit_code_comments": False,
}


class BuildExt(build_ext):
    """Per-compiler optimisation flags.

    ``-ffp-contract=off`` keeps every float result bit-identical to the reference: GCC
    otherwise fuses ``a * b + c`` into one FMA instruction on targets that have one
    (aarch64 by default), which rounds differently. The kernels fuse on purpose only
    where the contract allows it (non-integer kernels, through ``convpool_madd`` and
    intrinsics in the AVX2 build).
    """

    def finalize_options(self):
        # Templates and Cython run here, when extensions are built, not when setup.py is
        # loaded: building an sdist needs neither.
        expand_templates()
        self.distribution.ext_modules = cythonize(
            self.distribution.ext_modules,
            compiler_directives=DIRECTIVES,
            nthreads=os.cpu_count() or 1,  # the modules translate independently, too
        )
        super().finalize_options()
        if self.parallel is None:  # the modules compile independently
            self.parallel = os.cpu_count() or 1

    def build_extensions(self):
        if self.compiler.compiler_type == "msvc":
            flags = ["/O2", "/fp:precise"]
        else:
            # Release builds carry no debug information (-g0 overrides the -g in
            # Python's own flags): it would triple the size of the wheel.
            flags = ["-O0", "-g"] if DEBUG else [*supported(self.compiler, OPTIMISE), "-g0"]
            flags.append("-ffp-contract=off")
            flags += supported(self.compiler, VECTORISE)
        link = []
        if SANITIZE:
            # Every finding is fatal, and stack traces name the kernel's lines.
            link = [f"-fsanitize={SANITIZE}"]
            flags += [*link, "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]
        for ext in self.extensions:
            ext.extra_compile_args = flags + list(ext.extra_compile_args)
            ext.extra_link_args = link + list(ext.extra_link_args)
        # The flags come from the environment, which setuptools' up-to-date check
        # cannot see: always compile, so no build reuses objects of another variant.
        self.force = True
        super().build_extensions()


# -O2 with the vectoriser and its full cost model, not -O3. What -O3 adds beyond these
# flags is mostly the complete unrolling of every loop of constant count, which GCC
# applied to the kernels' many loops over literal tap counts: a third of the modules'
# size (a 2.05 MB wheel against 1.6 MB) and a fifth of the build, for no speed measured
# in the paired benchmarks (40 cases, each target: medians 0.94 to 1.05 x -O3's time;
# the loops over a constant handful of vectors that do need unrolling say so,
# CONVPOOL_UNROLL in _simd.h). -funswitch-loops splits a loop on a test that does not
# change inside it (the tap quads' second output row: 10 % of an 11 x 11 kernel's time
# without it). A compiler that lacks a flag (Clang: the cost model) goes without it.
OPTIMISE = ["-O2", "-ftree-vectorize", "-fvect-cost-model=dynamic", "-funswitch-loops"]

# GCC vectorises a loop whose stores may alias its loads only behind runtime checks, and
# gives up past 10 of them by default; the fused float kernels (one pair of output rows
# from twelve image pointers) need 24, and stayed scalar for uint8 and float64 outputs
# (five times slower). Compilers without the parameter (Clang) are left to their own.
VECTORISE = ["--param=vect-max-version-for-alias-checks=64"]


def supported(compiler, flags: list[str]) -> list[str]:
    """The flags of ``flags`` that ``compiler`` accepts without complaint."""
    import tempfile

    from setuptools.errors import CompileError

    kept = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "probe.c")
        source.write_text("int probe(void) { return 0; }\n")
        for flag in flags:
            try:
                compiler.compile([str(source)], output_dir=tmp, extra_postargs=[flag, "-Werror"])
            except CompileError:
                continue
            kept.append(flag)
    return kept


# The target, not the build machine: cross builds set _PYTHON_HOST_PLATFORM, which
# sysconfig.get_platform() reports (e.g. "macosx-11.0-arm64", "win-amd64").
PLATFORM = sysconfig.get_platform()
X86_TARGETS = PLATFORM.endswith("x86_64") and not PLATFORM.startswith("win")
# Compiled once: the convolution drivers.
ONCE = ["_conv"]
# The targets beyond the baseline: name -> (compiler flags, the families compiled for it).
# _cpu.h checks the same instruction sets (and the OS's saving of their registers) before
# convpool imports one. The pooling kernels have no AVX-512 build: they move memory
# (2 x 2 windows at a copy's speed), and an AVX-512 build of them measured no faster than
# the AVX2 one (Ice Lake server, 16 pooling cases, paired, 11 rounds: 0.87 to 1.30 x
# the AVX2 build's time, median 1.02; Zen 4: 0.87 to 1.06) while it made a sixth of the
# wheel (229 kB) and of the build. AVX-512 CPUs run the AVX2 build (_config.POOL_TARGETS).
TARGETS = {
    "avx2": (["-mavx2", "-mfma"], ["_pool", "_conv_rows"]),
    "avx512": (["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mfma"], ["_conv_rows"]),
} if X86_TARGETS else {}
FAMILIES = ["_pool", "_conv_rows"]


# The one table of pixel types (and its lookups), which every template is expanded with.
KINDS = {name: value for name, value in runpy.run_path(str(PACKAGE / "_kinds.py")).items()
         if name in ("IMAGE", "OUT", "MEAN", "CTYPE", "ACC", "SUM", "number", "numbers", "numbered")}


def expand_templates() -> None:
    """Write each ``*.in`` template of the package as the file it names, and each target's
    module source, if it changed."""
    for template in sorted(PACKAGE.glob("*.in")):
        target = template.with_suffix("")
        text = Template(template.read_text(), name=str(template)).substitute(KINDS)
        _write(target, text)
    for name, (_, families) in TARGETS.items():
        for family in families:
            # One translation per family: a target's module is the family's C under the
            # init function its file name calls for (PyInit__pool_avx2 for _pool_avx2).
            _write(PACKAGE / f"{family}_{name}.c",
                   f"/* The {name} build of convpool.{family}: generated by setup.py. */\n"
                   f"#define PyInit_{family} PyInit_{family}_{name}\n"
                   f'#include "{family}.c"\n')


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


# The headers (_cpu.h, _simd_*.h) sit beside the sources; the include path says so for
# every compiler, whichever folder it runs in.
INCLUDE = ["src/convpool"]
# build_ext compiles the extensions as many at a time as there are cores, in this order:
# the longest first (the vector targets' pooling kernels, then their row functions), so
# that no core idles at the end while another finishes a long one (two cores, one run:
# the compiling took 61 s with the targets last, 50 s in this order).
extensions = [
    *(Extension(f"convpool.{family}_{name}", [f"src/convpool/{family}_{name}.c"], include_dirs=INCLUDE,
                extra_compile_args=flags, depends=[f"src/convpool/{family}.c"])
      for family in FAMILIES for name, (flags, families) in TARGETS.items() if family in families),
    *(Extension(f"convpool.{name}", [f"src/convpool/{name}.pyx"], include_dirs=INCLUDE) for name in FAMILIES + ONCE),
]

setup(
    ext_modules=extensions,
    cmdclass={"build_ext": BuildExt},
)
