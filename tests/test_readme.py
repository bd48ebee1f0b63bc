"""The README's Python examples run as written against the installed package."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples():
    assert len(python_blocks()) >= 1


# Optional libraries a README example may use; where one is not installed (platforms
# without its wheels test with the "test-core" extra) that example is skipped.
OPTIONAL = ("dask", "distributed", "zarr", "tifffile", "cv2", "skimage")


@pytest.mark.parametrize("index", range(len(python_blocks()) if README.exists() else 0))
def test_readme_example_runs(index, capsys, tmp_path, monkeypatch):
    block = python_blocks()[index]
    for name in OPTIONAL:
        if re.search(rf"^\s*(import|from) {name}\b", block, flags=re.M):
            pytest.importorskip(name)
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    exec(compile(python_blocks()[index], f"README.md block {index}", "exec"), {})
