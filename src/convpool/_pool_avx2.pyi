# The same kernels as _pool, built with AVX2 enabled.
from ._pool import avg_pool as avg_pool
from ._pool import extreme_pool as extreme_pool
from ._pool import max_pool as max_pool
