# The same kernels as _conv, built with AVX2 enabled.
from ._conv import correlate_float as correlate_float
from ._conv import correlate_int as correlate_int
from ._conv import correlate_int16 as correlate_int16
from ._conv import correlate_int32 as correlate_int32
