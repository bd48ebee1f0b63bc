"""The pixel types of the compiled kernels: one table for every kernel family.

setup.py hands these names to every template it expands (the ``*.pxi.in`` kernels and
``_types.pxd.in``), and the compiled modules publish the kind lists they derive
(``IMAGE_KINDS``, ``OUT_KINDS``, ``MEAN_KINDS``), which the Python layer reads. A kind's
number in a kernel call is its position in its list; code that needs a property of a
kind asks by its code (``number``, ``numbers``), never by comparing positions.

Plain data and two functions: setup.py runs this file before anything is built.
"""

#: The image types the kernels read (NumPy dtype code, C type).
IMAGE = (("u1", "uint8_t"), ("i1", "int8_t"), ("u2", "uint16_t"), ("i2", "int16_t"),
         ("u4", "uint32_t"), ("i4", "int32_t"), ("u8", "uint64_t"), ("i8", "int64_t"),
         ("f4", "float"), ("f8", "double"))
#: What convolve and conv2d store.
OUT = (("u1", "uint8_t"), ("u2", "uint16_t"), ("i2", "int16_t"), ("f4", "float"), ("f8", "double"))
#: What avg_pool's kernels store.
MEAN = (("f4", "float"), ("f8", "double"))
#: The C type of each code.
CTYPE = dict(IMAGE)
#: The accumulators of convolve's 2-D integer path (bits, C type), each with the image
#: types it serves: the planner takes int16 only while sum(|kernel|) * max|pixel| fits
#: it, which needs 8-bit pixels; int32 up to 16-bit pixels; int64 while that bound stays
#: below 2**53, which no 64-bit pixel type allows.
ACC = ((16, "int16_t", ("u1", "i1")),
       (32, "int32_t", ("u1", "i1", "u2", "i2")),
       (64, "int64_t", ("u1", "i1", "u2", "i2", "u4", "i4")))
#: The sums of the separable integer passes (code, C type), narrowest first, each with
#: the image types whose column sums it may hold: int16 and uint16 (the planner takes
#: uint16 only for sums that are never negative, which needs nonnegative taps on uint8
#: pixels: the binomial 5 x 5 sums to 256 * 255, beyond int16 but within uint16), int32,
#: int64.
SUM = (("i2", "int16_t", ("u1", "i1")),
       ("u2", "uint16_t", ("u1",)),
       ("i4", "int32_t", ("u1", "i1", "u2", "i2")),
       ("i8", "int64_t", ("u1", "i1", "u2", "i2", "u4", "i4")))


def number(kinds: tuple[tuple[str, str], ...], code: str) -> int:
    """The kind number of ``code`` in ``kinds``."""
    return [c for c, _ in kinds].index(code)


def numbers(kinds: tuple[tuple[str, str], ...], codes: str) -> str:
    """The kind numbers of the space-separated ``codes`` as a C/Cython tuple literal,
    for ``kind in (...)`` tests."""
    return "({},)".format(", ".join(str(number(kinds, c)) for c in codes.split()))


def numbered(kinds: tuple[tuple, ...] | list[tuple]) -> list[tuple]:
    """Each entry of a list (``(code, C type)`` of a kind, or a family's own table's
    rows) with its number in front."""
    return [(k, *entry) for k, entry in enumerate(kinds)]
