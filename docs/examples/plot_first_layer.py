"""
A trained CNN layer, reproduced
===============================

The first layer of a small network trained with PyTorch, computed again with convpool
from its saved weights. The network is the codelab's next step shrunk: where the
codelab's Keras model starts with ``Conv2D(64, (3, 3), activation="relu")`` and
``MaxPooling2D(2, 2)``, this one has 8 filters of 3 x 3, ReLU and 2 x 2 max pooling,
then a linear layer to four classes. It learnt to tell the orientation of a stroke
(horizontal, rising, vertical, falling) in synthetic 28 x 28 images.

No framework runs here. ``data/train_first_layer.py`` trained the network once, offline,
and saved its first layer's weights and bias and PyTorch's feature maps (after the
convolution, ReLU and pooling) of a 64 x 64 crop of ascent in ``data/first_layer.npz``.
This example computes the same maps with :func:`convpool.conv2d`, ``numpy.maximum`` and
:func:`convpool.max_pool`, and checks them against PyTorch's.
"""

import matplotlib.pyplot as plt
import numpy as np

import convpool

saved = np.load("data/first_layer.npz")  # the examples run from their own folder
weight, bias = saved["weight"], saved["bias"]  # (8, 1, 3, 3) and (8,), float32
r, c = saved["crop"]
print(f"weight {weight.shape}, bias {bias.shape}, {weight.dtype}; trained with PyTorch {saved['torch']}, "
      f"held-out accuracy {float(saved['accuracy']):.3f}")

# %%
# The filters
# -----------
# PyTorch's layout, ``(out_channels, in_channels, rows, columns)``, is convpool's: filter
# ``k`` is ``weight[k, 0]``, in (row, column) order like every kernel of
# :func:`convpool.convolve`. Red taps weigh a pixel up, blue ones down. Filters 0, 1, 2, 4
# and 6 learnt edges, dark on one side and bright on the other, as the codelab's
# hand-written filters are (filter 4 looks like the codelab's horizontal-lines filter
# upside down); 5 and 7, all positive, mostly take the brightness.


def ink(cells, value):
    """Black on a light cell, white on a dark one: the cell colour's relative luminance
    (WCAG), above or below the point where both contrast alike."""
    rgb = np.array(cells.cmap(cells.norm(value))[:3])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return "black" if linear @ [0.2126, 0.7152, 0.0722] > 0.179 else "white"


limit = np.abs(weight).max()
fig, axes = plt.subplots(2, 4, figsize=(11, 6))
for k, ax in enumerate(axes.ravel()):
    cells = ax.imshow(weight[k, 0], cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(weight[k, 0]):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=10, color=ink(cells, value))
    ax.set_title(f"filter {k}, bias {bias[k]:+.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %%
# The layer with convpool
# -----------------------
# The crop, scaled to 0..1 in float32 as the network's training images were. Its
# ``(channels, rows, columns)`` stack, one channel here, goes through the layer in three
# calls: :func:`convpool.conv2d` with the filter bank and bias (no padding, as PyTorch's
# and Keras's default: 64 -> 62 pixels a side; float32 in, float32 out), ReLU, then 2 x 2
# max pooling over the last two axes (62 -> 31).

crop = convpool.data.ascent()[r : r + 64, c : c + 64].astype(np.float32) / 255
conv = convpool.conv2d(crop[np.newaxis], weight, bias)  # (8, 62, 62)
maps = convpool.max_pool(np.maximum(conv, 0), axes=(-2, -1))  # (8, 31, 31)
print("conv2d:", conv.shape, conv.dtype, " pooled:", maps.shape, maps.dtype)

# %%
# Checked against PyTorch
# -----------------------
# convpool sums each output pixel's nine products and the bias in float64 and rounds
# once to float32; PyTorch sums them in float32. A float32 sum of n = 10 terms, added in
# any order, is within about ``n * u * S`` of the exact sum (``u = eps / 2``, float32's
# unit roundoff; ``S`` the sum of the terms' magnitudes, ``|weight|`` on ``|crop|`` plus
# ``|bias|``), and convpool's within ``u * S``: together at most ``6 * eps * S``. ReLU
# and the window's maximum never widen a difference, so the bound of a pooled pixel is
# the largest ``6 * eps * S`` of its window. The maps must agree within it; in practice
# they differ by a few units of float32's last place.

theirs = saved["maps"]
eps = np.finfo(np.float32).eps
S = convpool.conv2d(np.abs(crop)[np.newaxis], np.abs(weight), np.abs(bias), dtype=np.float64)
bound = 6 * eps * convpool.max_pool(S, axes=(-2, -1))
difference = np.abs(maps.astype(np.float64) - theirs)
print(f"largest difference from PyTorch's maps: {difference.max():.3g} "
      f"({difference.max() / eps:.1f} eps; maps reach {theirs.max():.3g}), "
      f"{np.count_nonzero(difference)} of {difference.size} pixels differ at all; "
      f"largest difference / bound: {(difference / bound).max():.2f}")
assert maps.shape == theirs.shape and maps.dtype == theirs.dtype
assert (difference <= bound).all()

# %%
# The feature maps
# ----------------
# The crop (ascent's railing: slanting bars under a sloping rail) and its eight pooled
# maps, 31 x 31, each on its own scale from 0 (black) to its largest value: each edge
# filter lights up the edges of its own orientation and polarity.

fig, axes = plt.subplots(3, 3, figsize=(10, 10.5))
axes[0, 0].imshow(crop, cmap="gray", vmin=0, vmax=1)
axes[0, 0].set_title(f"ascent[{r}:{r + 64}, {c}:{c + 64}]")
for k, ax in enumerate(axes.ravel()[1:]):
    ax.imshow(maps[k], cmap="gray", vmin=0, vmax=max(maps[k].max(), eps))
    ax.set_title(f"filter {k}: max {maps[k].max():.2f}")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
