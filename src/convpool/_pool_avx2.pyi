# The same kernel as _pool, built with AVX2 enabled.
from ._pool import max_pool as max_pool
