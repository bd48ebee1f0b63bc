"""convpool: the codelab's convolution and 2x2 max pooling, exact and fast.

>>> import convpool
>>> image = convpool.data.ascent()
>>> vertical = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
>>> convpool.max_pool(convpool.convolve(image, vertical)).shape
(256, 256)
"""

from . import data, kernels, reference
from ._config import DEFAULT_BUILD as kernel_variant
from ._conv2d import conv2d
from ._convolve import convolve
from ._pooling import avg_pool, max_pool, min_pool
from ._unpool import max_unpool
from ._version import __version__

__all__ = [
    "__version__",
    "avg_pool",
    "conv2d",
    "convolve",
    "data",
    "kernel_variant",
    "kernels",
    "max_pool",
    "max_unpool",
    "min_pool",
    "reference",
]
