"""Named kernels: the codelab's three filters and the common ones people reach for.

Every matrix is written in convpool's convention, the (row, column) cross-correlation of
:func:`convpool.convolve` (as ``scipy.ndimage.correlate`` and ``cv2.filter2D``): row 0
of the matrix meets the row above the pixel. In that convention the codelab's words
hold: ``vertical_lines`` finds vertical lines. The codelab's own loop applies its filter
transposed, so to reproduce a named kernel with it pass ``kernel.matrix.T`` to
:func:`convpool.reference.codelab_convolution`; only the direction-sensitive kernels
(Sobel, Scharr, Prewitt and the codelab's lines filters) change under a transpose.

With the default ``uint8`` output the responses are clamped to 0..255, as in the
codelab, so a gradient kernel keeps one polarity (``sobel_horizontal``: edges that get
brighter downwards); ``dtype=numpy.float32`` keeps both signs.

:func:`convpool.convolve` and :func:`convpool.dask.convolve` take a :class:`Kernel`, or
its name, as their ``kernel`` (its matrix, and its weight times their ``weight``):

>>> import convpool
>>> from convpool import kernels
>>> k = kernels.get("vertical_lines")
>>> k.matrix
array([[-1,  0,  1],
       [-2,  0,  2],
       [-1,  0,  1]])
>>> image = convpool.data.ascent()
>>> blurred = convpool.convolve(image, kernels.GAUSSIAN_5X5)
>>> bool((blurred == convpool.convolve(image, "gaussian_5x5")).all())
True
>>> bool((blurred == convpool.convolve(image, kernels.GAUSSIAN_5X5.matrix, 1 / 256)).all())
True
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import _validate

__all__ = [
    "BOX_BLUR",
    "CODELAB",
    "EDGES",
    "EMBOSS",
    "GAUSSIAN_3X3",
    "GAUSSIAN_5X5",
    "HORIZONTAL_LINES",
    "IDENTITY",
    "KERNELS",
    "LAPLACIAN",
    "OUTLINE",
    "PREWITT_HORIZONTAL",
    "PREWITT_VERTICAL",
    "SCHARR_HORIZONTAL",
    "SCHARR_VERTICAL",
    "SHARPEN",
    "SOBEL_HORIZONTAL",
    "SOBEL_VERTICAL",
    "VERTICAL_LINES",
    "Kernel",
    "get",
]


@dataclass(frozen=True, eq=False)
class Kernel:
    """A named filter: its matrix, the weight that multiplies the sum, what it finds.

    Parameters
    ----------
    name : str
        Short lowercase name, as :func:`get` and the command line take it.
    matrix : array_like of shape (kh, kw)
        The kernel in (row, column) cross-correlation order. Stored as a read-only
        ndarray: int64 when every entry is an integer, float64 otherwise.
    weight : float, optional
        The codelab's ``weight``: the sum is multiplied by it (``1/9`` for a box blur).
    description : str, optional
        What the kernel detects or does, in a sentence or two.

    Raises
    ------
    ValueError
        If `matrix` is not a non-empty 2-D array of finite numbers or `weight` is not finite.

    Examples
    --------
    >>> import convpool
    >>> ridge = convpool.kernels.Kernel("ridge", [[-1, 2, -1]], description="thin vertical lines")
    >>> ridge.matrix.shape, ridge.weight
    ((1, 3), 1.0)
    >>> ridge.matrix.flags.writeable
    False
    """

    name: str
    matrix: np.ndarray
    weight: float = 1.0
    description: str = ""

    def __init__(self, name: str, matrix: npt.ArrayLike, weight: float = 1.0, description: str = "") -> None:
        m = _validate.kernel(matrix, "matrix")
        _validate.finite(m, "matrix")
        m = np.array(m, dtype=np.float64)
        w = _validate.real(weight, "weight")
        # Integer-valued matrices are kept as int64 where that is exact: every entry of
        # magnitude up to 2**53, where float64 holds every integer (larger ones stay float).
        if (m == np.trunc(m)).all() and np.abs(m).max() <= 2**53:
            m = m.astype(np.int64)
        m.flags.writeable = False
        # Frozen: the normalised fields are set once, here.
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "matrix", m)
        object.__setattr__(self, "weight", w)
        object.__setattr__(self, "description", str(description))

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)`` of the matrix."""
        return (int(self.matrix.shape[0]), int(self.matrix.shape[1]))


_GAUSS_5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])

EDGES = Kernel(
    "edges",
    [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    description=(
        "The codelab's edge filter (the 4-neighbour Laplacian): passes sharp edges and "
        "thin lines and blacks out flat areas; clamped to 0..255 it lights the dark side "
        "of each edge."
    ),
)
HORIZONTAL_LINES = Kernel(
    "horizontal_lines",
    [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    description=(
        "The codelab's horizontal-lines filter (Sobel across rows): horizontal lines and "
        "edges where the image gets brighter downwards."
    ),
)
VERTICAL_LINES = Kernel(
    "vertical_lines",
    [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    description=(
        "The codelab's vertical-lines filter (Sobel across columns): vertical lines and "
        "edges where the image gets brighter to the right."
    ),
)
IDENTITY = Kernel(
    "identity",
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    description="The image unchanged; with pooling, pooling alone.",
)
BOX_BLUR = Kernel(
    "box_blur",
    np.ones((3, 3)),
    1 / 9,
    "Blur: each pixel becomes the mean of its 3x3 neighbourhood; smooths noise and fine detail.",
)
GAUSSIAN_3X3 = Kernel(
    "gaussian_3x3",
    [[1, 2, 1], [2, 4, 2], [1, 2, 1]],
    1 / 16,
    "Gentle blur weighting near pixels more (binomial approximation of a Gaussian, sigma ~0.85).",
)
GAUSSIAN_5X5 = Kernel(
    "gaussian_5x5",
    _GAUSS_5,
    1 / 256,
    "Stronger smooth blur (binomial approximation of a Gaussian, sigma 1); removes noise before edge detection.",
)
SHARPEN = Kernel(
    "sharpen",
    [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    description="The image plus its negative Laplacian: stronger edges and fine detail.",
)
EMBOSS = Kernel(
    "emboss",
    [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    description=(
        "Relief: the image plus its diagonal gradient, so edges where it gets brighter "
        "towards the bottom-right stand out as raised."
    ),
)
LAPLACIAN = Kernel(
    "laplacian",
    [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    description=(
        "Second derivative (4-neighbour): edges in every direction, zero on flat areas and "
        "even gradients; positive where a pixel is darker than its neighbours. Same matrix "
        "as `edges`."
    ),
)
OUTLINE = Kernel(
    "outline",
    [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    description=(
        "Negative 8-neighbour Laplacian: outlines of shapes in every direction, positive "
        "where a pixel is brighter than its neighbours; flat areas go black."
    ),
)
SOBEL_HORIZONTAL = Kernel(
    "sobel_horizontal",
    [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    description="Sobel: horizontal edges (the gradient across rows), positive where it gets brighter downwards.",
)
SOBEL_VERTICAL = Kernel(
    "sobel_vertical",
    [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    description="Sobel: vertical edges (the gradient across columns), positive where it gets brighter to the right.",
)
SCHARR_HORIZONTAL = Kernel(
    "scharr_horizontal",
    [[-3, -10, -3], [0, 0, 0], [3, 10, 3]],
    description="Scharr: horizontal edges like Sobel, with a more accurate response to diagonal edges.",
)
SCHARR_VERTICAL = Kernel(
    "scharr_vertical",
    [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]],
    description="Scharr: vertical edges like Sobel, with a more accurate response to diagonal edges.",
)
PREWITT_HORIZONTAL = Kernel(
    "prewitt_horizontal",
    [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    description="Prewitt: horizontal edges, the three neighbouring columns weighted equally.",
)
PREWITT_VERTICAL = Kernel(
    "prewitt_vertical",
    [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    description="Prewitt: vertical edges, the three neighbouring rows weighted equally.",
)

#: Every named kernel by name, the codelab's three first (read-only).
KERNELS: Mapping[str, Kernel] = types.MappingProxyType(
    {
        k.name: k
        for k in (
            EDGES,
            HORIZONTAL_LINES,
            VERTICAL_LINES,
            IDENTITY,
            BOX_BLUR,
            GAUSSIAN_3X3,
            GAUSSIAN_5X5,
            SHARPEN,
            EMBOSS,
            LAPLACIAN,
            OUTLINE,
            SOBEL_HORIZONTAL,
            SOBEL_VERTICAL,
            SCHARR_HORIZONTAL,
            SCHARR_VERTICAL,
            PREWITT_HORIZONTAL,
            PREWITT_VERTICAL,
        )
    }
)

#: The codelab's three filters, in the order it introduces them.
CODELAB = (EDGES, HORIZONTAL_LINES, VERTICAL_LINES)


def get(name: str) -> Kernel:
    """The named kernel.

    Names are case-insensitive, and ``-`` may stand for ``_`` (``sobel-vertical``), as
    people type them in a shell.

    Parameters
    ----------
    name : str
        One of ``KERNELS``.

    Returns
    -------
    Kernel

    Raises
    ------
    TypeError
        If `name` is not a string.
    ValueError
        If no kernel has that name; the message lists the valid names.

    Examples
    --------
    >>> from convpool import kernels
    >>> k = kernels.get("box-blur")
    >>> k.name, int(k.matrix.sum()), round(k.weight, 4)
    ('box_blur', 9, 0.1111)
    >>> kernels.get("blur")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: unknown kernel 'blur'; valid names: edges, horizontal_lines, ...
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a string, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_")
    try:
        return KERNELS[key]
    except KeyError:
        raise ValueError(f"unknown kernel {name!r}; valid names: {', '.join(KERNELS)}") from None
