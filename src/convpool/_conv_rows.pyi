from typing_extensions import CapsuleType

# The row functions of one target: the table the entry points of convpool._conv take first.
ROWS: CapsuleType
# Whether this target sums uint8 tap pairs with vpmaddubsw (the planner's pair path).
PAIRS: bool
# Whether this target and CPU sum uint8 tap quads with vpdpbusd (AVX-512 VNNI).
QUADS: bool
# Output filters the filter bank sums together in registers.
BANK_FILTERS: int
