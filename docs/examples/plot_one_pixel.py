"""
One pixel, step by step
=======================

The codelab's worked example for one pixel of ascent: the 3 x 3 neighbourhood under the
filter, each product, their sum, the weight, the clamp to 0..255 and the value stored,
computed by :func:`convpool.reference.convolve` (the codelab's arithmetic in plain
Python) and checked against :func:`convpool.convolve`.

The filter is the codelab's vertical-lines filter in convpool's (row, column) order:
``kernel[i, j]`` meets ``image[r + i - 1, c + j - 1]``. The pixel, row 44 and column
384, sits where the image gets brighter to the right, and the sum overshoots 255.
"""

import matplotlib.pyplot as plt
import numpy as np

import convpool
from convpool import reference

image = convpool.data.ascent()
kernel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
weight = 1.0
r, c = 44, 384

# %%
# The neighbourhood and the products
# ----------------------------------
# The nine pixels the kernel covers, each multiplied by the tap it meets, added in
# row-major order (the reference's and convpool's order), then multiplied by the weight.

neighbourhood = image[r - 1 : r + 2, c - 1 : c + 2]
products = neighbourhood.astype(np.float64) * kernel
total = 0.0
for (i, j), p in np.ndenumerate(products):
    total += p
    print(f"image[{r + i - 1}, {c + j - 1}] = {neighbourhood[i, j]:3d} x {kernel[i, j]:+d} = {p:+6.0f}")
value = weight * total
stored = int(min(max(value, 0), 255))  # the codelab's clamp, then the uint8 image truncates
print(f"sum {total:+.0f}, times weight {weight:g}: {value:+.0f}, clamped to 0..255 and stored: {stored}")

# %%
# Checked against the reference and convpool
# ------------------------------------------
# The reference computes the pixel from the same neighbourhood (``mode="valid"`` on the
# 3 x 3 crop gives exactly that one pixel); convpool's fast kernel computes it within
# the whole feature map. The three agree.

by_reference = reference.convolve(neighbourhood, kernel, weight, mode="valid")[0, 0]
by_convpool = convpool.convolve(image, kernel, weight)[r, c]
print("reference:", by_reference, " convpool:", by_convpool)
assert stored == by_reference == by_convpool
# The codelab's own loop applies the filter transposed: the same pixel again.
assert reference.codelab_convolution(image[r - 2 : r + 3, c - 2 : c + 3], kernel.T, weight)[2, 2] == stored

# %%
# The picture
# -----------
# Left to right: where the pixel is; the neighbourhood; the kernel; the products, whose
# sum (times the weight, clamped) is the stored value.



def ink(cells, value):
    """Black on a light cell, white on a dark one: the cell colour's relative luminance
    (WCAG), above or below the point where both contrast alike."""
    rgb = np.array(cells.cmap(cells.norm(value))[:3])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return "black" if linear @ [0.2126, 0.7152, 0.0722] > 0.179 else "white"


fig, axes = plt.subplots(1, 4, figsize=(14, 3.8), width_ratios=[1.4, 1, 1, 1])
axes[0].imshow(image[r - 20 : r + 21, c - 20 : c + 21], cmap="gray", vmin=0, vmax=255,
               extent=(c - 20.5, c + 20.5, r + 20.5, r - 20.5))
axes[0].add_patch(plt.Rectangle((c - 1.5, r - 1.5), 3, 3, fill=False, ec="red", lw=2))
axes[0].set_title(f"ascent around row {r}, column {c}")
grids = [(neighbourhood, "neighbourhood (pixels)", "gray"), (kernel, "kernel (taps)", "RdBu_r"),
         (products, f"products: sum {total:+.0f} -> {stored}", "RdBu_r")]
for ax, (grid, title, cmap) in zip(axes[1:], grids, strict=True):
    limit = np.abs(grid).max() or 1
    cells = ax.imshow(grid, cmap=cmap, vmin=0 if cmap == "gray" else -limit, vmax=255 if cmap == "gray" else limit)
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=11, color=ink(cells, v))
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
