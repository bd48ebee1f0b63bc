"""The README's Python examples run as written against the installed package.

They are plain ```python blocks, to read and to copy (not doctests): each runs as one
test, skipped where it imports an optional library that is not installed (platforms
without its wheels test with the "test-core" extra), in a fresh folder of its own. The
documentation's examples are run by tests/test_docs.py.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
OPTIONAL = ("dask", "distributed", "zarr", "tifffile", "cv2", "skimage", "scipy")


def python_blocks() -> dict[str, str]:
    """Each block's code, by the line where it starts in the README."""
    text = README.read_text(encoding="utf-8")
    return {
        f"README.md:{text.count(chr(10), 0, m.start(1)) + 1}": m.group(1)
        for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    }


BLOCKS = python_blocks()


def test_readme_has_examples():
    assert len(BLOCKS) >= 1


@pytest.mark.parametrize("where", BLOCKS)
def test_readme_example_runs(where, tmp_path, monkeypatch):
    code = BLOCKS[where]
    for name in OPTIONAL:
        if re.search(rf"^\s*(import|from) {name}\b", code, flags=re.M):
            pytest.importorskip(name)
    monkeypatch.chdir(tmp_path)  # an example that writes files writes them here
    line = int(where.rpartition(":")[2])
    # Blank lines before the code, so that a traceback names the README's own lines.
    exec(compile("\n" * (line - 1) + code, "README.md", "exec"), {"__name__": "__readme__"})


def test_readme_fits_on_about_one_screen():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def test_readme_gives_the_two_commands_from_a_clone():
    text = README.read_text(encoding="utf-8")
    assert "pip install . && convpool demo" in text
    assert 'pip install ".[test]" && python -m pytest -m "not slow"' in text


def test_readme_links_resolve():
    """Every relative link of the README names a file or folder of the repository."""
    if not (ROOT / "docs").is_dir():
        pytest.skip("docs/ is not here (a source distribution): run from a clone")
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    assert links
    for link in links:
        if "://" not in link:
            assert (ROOT / link).exists(), link


def test_readme_says_what_convpool_apply_writes(tmp_path):
    """The README's sentence on `convpool apply photo.jpg` names the one file it writes."""
    import subprocess
    import sys

    from PIL import Image

    import convpool

    text = " ".join(README.read_text(encoding="utf-8").split())
    match = re.search(r"`convpool apply photo\.jpg` (.*?)\(\[the command line\]", text)
    assert match, "the README no longer describes `convpool apply photo.jpg`"
    claimed = re.findall(r"`(convpool-out/[^`]+)`", match.group(1))
    assert claimed and "does the same" not in match.group(1)
    Image.fromarray(convpool.data.ascent()[:64, :80]).convert("RGB").save(tmp_path / "photo.jpg")
    proc = subprocess.run([sys.executable, "-m", "convpool", "apply", "photo.jpg"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    written = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "convpool-out").iterdir())
    assert written == claimed
