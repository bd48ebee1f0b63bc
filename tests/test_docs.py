"""The README says what each of its Python examples needs installed."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Import names of the distributions whose name differs.
IMPORT_NAME = {"pillow": "PIL", "opencv-python-headless": "cv2", "scikit-image": "skimage"}


def test_every_example_import_is_installed_by_a_command_the_readme_gives():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    installed = {"convpool", "numpy", "PIL", "tqdm"}  # pip install convpool brings these
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=\[ ;]", requirement)[0].lower()
        installed.add(IMPORT_NAME.get(name, name))
    stdlib = {"tempfile", "pathlib", "os", "sys", "time", "math", "json"}
    for match in re.finditer(r"```python\n(.*?)```", README, flags=re.S):
        before = README[: match.start()]
        told = " ".join(re.findall(r"pip install [^`\n]+", before[-1500:]))  # the text just above
        for module in re.findall(r"^\s*(?:import|from) (\w+)", match.group(1), flags=re.M):
            if module in installed or module in stdlib:
                continue
            extra = {"dask": "convpool[dask]"}.get(module, module)
            assert extra in told, f"the example importing {module} does not say to install it first"
