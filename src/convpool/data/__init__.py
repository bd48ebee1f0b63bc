"""Images that ship with convpool, so its examples and tests need no network."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
from PIL import Image

__all__ = ["ascent"]


def ascent() -> np.ndarray:
    """The codelab's 512 x 512 greyscale stairwell photograph.

    The image SciPy shipped as ``scipy.misc.ascent()`` until SciPy 1.12 (derived from a
    public-domain photograph), stored losslessly as ``ascent.png`` in this package.

    Returns
    -------
    ndarray of shape (512, 512), dtype uint8
        A fresh, writeable array on every call.

    Examples
    --------
    >>> import convpool
    >>> image = convpool.data.ascent()
    >>> image.shape, image.dtype, round(float(image.mean()), 3)
    ((512, 512), dtype('uint8'), 87.48)
    """
    with files(__name__).joinpath("ascent.png").open("rb") as f, Image.open(f) as im:
        return np.array(im.convert("L"))
