"""The documentation's examples run, its commands work, and each says what it needs.

- Every ``.. code-block:: python`` of the reStructuredText pages and every ```python
  block of the Markdown pages runs as written (as the README's, tests/test_readme.py),
  and the pages' ``>>>`` examples run as doctests.
- Every ``convpool ...`` line of a ``console`` block runs, in a folder holding the
  ``photo.jpg``, ``photos/`` and ``scans/`` the examples name, and exits 0.
- An example importing a library that ``pip install convpool`` does not bring says how
  to install it just above.
- The shared docstring text is filled in, and is the same in every function sharing it.

The gallery examples, the notebook's rendering and the ``plot`` directives run when the
documentation builds (``.ci/run``); the notebook also runs here (tests/test_notebook.py).
"""

import doctest
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convpool

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Import names of the distributions whose name differs.
IMPORT_NAME = {"pillow": "PIL", "opencv-python-headless": "cv2", "scikit-image": "skimage"}
OPTIONAL = ("dask", "distributed", "zarr", "tifffile", "cv2", "skimage", "scipy", "matplotlib", "torch", "keras")

needs_docs = pytest.mark.skipif(not DOCS.is_dir(), reason="docs/ is not here (a source distribution): run from a clone")


def pages() -> list[Path]:
    if not DOCS.is_dir():
        return []
    found = [*DOCS.glob("*.rst"), *DOCS.glob("*.md"), *DOCS.glob("user_guide/*.rst")]
    return sorted(p for p in found if "_build" not in p.parts and "_generated" not in p.parts)


def blocks(path: Path, language: str) -> dict[str, str]:
    """The page's code blocks in `language`, by the line where each starts."""
    text = path.read_text(encoding="utf-8")
    found = {}
    if path.suffix == ".md":
        pattern = rf"^```{language}\n(.*?)^```"
        for m in re.finditer(pattern, text, flags=re.S | re.M):
            found[f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start(1)) + 1}"] = m.group(1)
    else:
        pattern = rf"^\.\. code-block:: {language}\n\n((?:(?:   .*)?\n)+)"
        for m in re.finditer(pattern, text, flags=re.M):
            lines = [line[3:] for line in m.group(1).splitlines()]
            found[f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start(1)) + 1}"] = "\n".join(lines) + "\n"
    return found


PYTHON = {where: code for page in pages() for where, code in blocks(page, "python").items()}
CONSOLE = [
    line.split("#")[0].strip()
    for page in pages()
    for code in blocks(page, "console").values()
    for line in code.splitlines()
    if line.startswith("convpool ")
]


@needs_docs
def test_docs_have_examples_and_commands():
    assert len(PYTHON) >= 5
    assert len(CONSOLE) >= 8


@pytest.mark.parametrize("where", PYTHON)
def test_docs_example_runs(where, tmp_path, monkeypatch):
    code = PYTHON[where]
    for name in OPTIONAL:
        if re.search(rf"^\s*(import|from) {name}\b", code, flags=re.M):
            pytest.importorskip(name)
    monkeypatch.chdir(tmp_path)
    line = int(where.rpartition(":")[2])
    exec(compile("\n" * (line - 1) + code, where.rpartition(":")[0], "exec"), {"__name__": "__docs__"})


@pytest.mark.parametrize("page", [p for p in pages() if ">>> " in p.read_text(encoding="utf-8")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_doctests(page):
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testfile(str(page), module_relative=False, optionflags=flags, verbose=False, report=True)
    assert result.attempted and not result.failed


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Path:
    """A folder with the files and folders the command-line examples name."""
    where = tmp_path_factory.mktemp("cli")
    ascent = convpool.data.ascent()[:128, :160]
    Image.fromarray(ascent).convert("RGB").save(where / "photo.jpg")
    for folder in ("photos", "scans"):
        (where / folder).mkdir()
        for i in range(2):
            Image.fromarray(np.roll(ascent, 17 * i, axis=1)).save(where / folder / f"{folder}{i}.png")
    return where


@pytest.mark.parametrize("command", CONSOLE)
def test_docs_command_runs(command, images, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    for item in images.iterdir():  # each command in a folder of its own: no earlier outputs
        target = work / item.name
        target.symlink_to(item, target_is_directory=item.is_dir())
    args = shlex.split(command)
    proc = subprocess.run([sys.executable, "-m", "convpool", *args[1:]], cwd=work, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_every_example_import_is_installed_by_a_command_the_text_gives():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    installed = {"convpool", "numpy", "PIL", "tqdm"}  # pip install convpool brings these
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=\[ ;]", requirement)[0].lower()
        installed.add(IMPORT_NAME.get(name, name))
    stdlib = {"tempfile", "pathlib", "os", "sys", "time", "math", "json", "concurrent"}
    texts = [("README.md", README)] + [(str(p), p.read_text(encoding="utf-8")) for p in pages()]
    checked = 0
    for name, text in texts:
        rst = r"\.\. code-block:: python\n\n(.*?)(?=\n\S|\Z)"
        pattern = rst if name.endswith(".rst") else r"```python\n(.*?)```"
        for match in re.finditer(pattern, text, flags=re.S):
            checked += 1
            told = " ".join(re.findall(r"pip install [^`\n]+", text[: match.start()][-1500:]))  # the text just above
            for module in re.findall(r"^\s*(?:import|from) (\w+)", match.group(1), flags=re.M):
                if module in installed or module in stdlib:
                    continue
                extra = {"dask": "convpool[dask]"}.get(module, module)
                assert extra in told, f"{name}: the example importing {module} does not say to install it first"
    assert checked >= 1


def test_shared_docstring_text_is_filled_and_shared():
    pytest.importorskip("dask.array")  # the test extra installs Dask; test-core does not
    import convpool.dask
    from convpool import _docstrings

    functions = [convpool.convolve, convpool.max_pool, convpool.min_pool, convpool.avg_pool,
                 convpool.dask.convolve, convpool.dask.max_pool, convpool.dask.min_pool, convpool.dask.avg_pool]
    for f in functions:
        assert "%(" not in f.__doc__, f.__qualname__
    size = _docstrings.docdict["pool_size"].splitlines()[0]
    for f in functions[1:4] + functions[5:]:
        assert size in f.__doc__, f.__qualname__
    assert _docstrings.docdict["conv_mode"].splitlines()[-1].strip() in convpool.dask.convolve.__doc__
    assert _docstrings.fill("a\n    %(workers)s\n50% b") == "a\n    " + "\n    ".join(
        _docstrings.docdict["workers"].splitlines()) + "\n50% b"


@needs_docs
def test_performance_page_puts_results_first():
    """The results, then how the speed is had, then how to reproduce; no file, script or
    instruction name before the first result."""
    text = (DOCS / "performance.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings[0] == "Results" and headings.index("How it works") < headings.index("Reproducing"), headings
    opening = text[: text.index("## Results")]
    assert "`" not in opening and "bench/" not in opening, opening
    assert text.index("{include} _generated/performance.md") < text.index("## How it works")


@pytest.mark.skipif(not (ROOT / "bench").is_dir() or not DOCS.is_dir(), reason="bench/ and docs/ come with a clone")
def test_performance_page_renders_every_results_file(tmp_path, monkeypatch):
    """Each results file gets its intro, machine line, tables and plots; a family spanning
    kernel sizes gets the plot of time against kernel size (conv.json, pool.json)."""
    pytest.importorskip("matplotlib")
    monkeypatch.syspath_prepend(str(DOCS / "_ext"))
    import convpool_docs

    machine = {"cpu": "Test CPU", "cores": 2, "system": "Linux x86_64", "python": "3.12.0", "numpy": "2.0",
               "convpool": "0.1.0", "convpool build": "avx2"}

    def row(kernel: int, family: str | None) -> dict:
        return {"group": "conv", "case": f"{kernel}x{kernel}", "family": family, "size": 512, "kernel": kernel,
                "dtype": "uint8", "peer": "cv2.filter2D", "target": 1.0, "ratio": 0.5 + kernel / 10,
                "ratios": {"cv2.filter2D": 0.5}, "times": {"convpool": 1e-3 * kernel, "cv2.filter2D": 2e-3 * kernel}}

    results = tmp_path / "results"
    results.mkdir()
    docs = {"conv": [row(k, "random integer, uint8") for k in (3, 5, 7)], "zeta": [row(3, None)]}
    for name, rows in docs.items():
        (results / f"{name}.json").write_text(json.dumps({"name": name, "date": "2026-12-02", "machine": machine,
                                                           "rows": rows}))
    read = convpool_docs.performance_page(results, tmp_path / "out")
    assert [Path(p).name for p in read] == ["conv.json", "zeta.json"]
    page = (tmp_path / "out" / "performance.md").read_text(encoding="utf-8")
    assert page.index("bench/results/conv.json") < page.index("bench/results/zeta.json")
    assert "bench/conv_space.py" in page and page.count("Test CPU, 2 logical CPUs") == 2
    assert "(/_generated/conv.time_vs_kernel.png)" in page and "(/_generated/conv.ratios.png)" in page
    assert "zeta.time_vs_kernel" not in page and "(/_generated/zeta.ratios.png)" in page
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == [
        "conv.ratios.png", "conv.time_vs_kernel.png", "zeta.ratios.png"]
    assert "| 5x5 | 512 | 5 ms | 10 ms |" in page
    # Results first: each file's plots and tables come before the script and file that made them.
    assert page.index("(/_generated/conv.ratios.png)") < page.index("bench/conv_space.py")
    assert page.index("Convolution across kernel sizes") < page.index("(/_generated/conv.time_vs_kernel.png)")

