"""Train the small network whose first layer ``plot_first_layer.py`` reproduces.

Not run by the documentation build, which only reads what this script wrote: it needs
PyTorch (``pip install torch==2.13.0``, or the ``frameworks`` extra) and was run once,
offline, from the repository's root::

    python docs/examples/data/train_first_layer.py

It makes a synthetic dataset (no download): 28 x 28 images of one bright stroke on a
noisy background, at one of four orientations (horizontal, rising, vertical, falling),
the label. The network is the codelab's next step, shrunk: 8 filters of 3 x 3, ReLU,
2 x 2 max pooling, then one linear layer to the four classes. Trained for six epochs
(about a minute and a half on two cores, to a held-out accuracy near 0.998), it writes
``first_layer.npz`` next to this script:

- ``weight`` (8, 1, 3, 3) and ``bias`` (8,), float32: the trained first layer;
- ``crop`` (2,): the top-left corner (row, column) of a 64 x 64 crop of ascent;
- ``maps`` (8, 31, 31), float32: PyTorch's feature maps of that crop (scaled to 0..1)
  after the convolution, ReLU and pooling;
- ``accuracy``: the held-out accuracy, and ``torch``: the PyTorch version.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

import convpool

HERE = Path(__file__).resolve().parent
SIDE = 28
ANGLES = (0, 45, 90, 135)  # degrees from the horizontal, counter-clockwise: the four classes
CROP = (336, 320)  # ascent's railing: vertical bars and the sloping handrail
CROP_SIDE = 64


def strokes(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`n` images (float32, 0..1) of one anti-aliased stroke each, and their labels."""
    labels = rng.integers(0, len(ANGLES), n)
    angle = np.deg2rad(np.array(ANGLES)[labels] + rng.uniform(-8, 8, n))
    centre = rng.uniform(9, SIDE - 9, (n, 2))  # (row, column)
    half_length = rng.uniform(5, 11, n)
    half_width = rng.uniform(0.6, 1.8, n)
    rows, cols = np.mgrid[:SIDE, :SIDE].astype(np.float64)
    # Distance of each pixel to the segment: along the stroke (clipped to its length) and across.
    dr, dc = rows - centre[:, 0, None, None], cols - centre[:, 1, None, None]
    ur, uc = -np.sin(angle)[:, None, None], np.cos(angle)[:, None, None]  # rows grow downwards
    along = np.clip(dr * ur + dc * uc, -half_length[:, None, None], half_length[:, None, None])
    distance = np.hypot(dr - along * ur, dc - along * uc)
    ink = np.clip(half_width[:, None, None] + 0.5 - distance, 0, 1)
    background = rng.uniform(0.0, 0.3, (n, 1, 1))
    brightness = rng.uniform(0.5, 1.0, (n, 1, 1))
    images = background + (brightness - background) * ink + rng.normal(0, 0.05, (n, SIDE, SIDE))
    return np.clip(images, 0, 1).astype(np.float32), labels


def main() -> None:
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(0)
    train_x, train_y = strokes(20000, rng)
    test_x, test_y = strokes(2000, rng)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),  # the first layer: 28 -> 26 -> 13
        nn.Flatten(), nn.Linear(8 * 13 * 13, len(ANGLES)),
    )
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    x, y = torch.from_numpy(train_x)[:, None], torch.from_numpy(train_y)
    start = time.perf_counter()
    for epoch in range(6):
        order = torch.randperm(len(x))
        for batch in order.split(64):
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
        with torch.no_grad():
            predicted = model(torch.from_numpy(test_x)[:, None]).argmax(1).numpy()
        accuracy = float((predicted == test_y).mean())
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, held-out accuracy {accuracy:.3f}, "
              f"{time.perf_counter() - start:.0f} s")

    r, c = CROP
    crop = convpool.data.ascent()[r : r + CROP_SIDE, c : c + CROP_SIDE].astype(np.float32) / 255
    with torch.no_grad():
        maps = model[:3](torch.from_numpy(crop)[None, None])[0].numpy()  # conv, ReLU, pool
    conv = model[0]
    path = HERE / "first_layer.npz"
    np.savez_compressed(
        path,
        weight=conv.weight.detach().numpy().astype(np.float32),
        bias=conv.bias.detach().numpy().astype(np.float32),
        crop=np.array(CROP),
        maps=maps.astype(np.float32),
        accuracy=np.array(accuracy),
        torch=np.array(torch.__version__),
    )
    print(f"wrote {path} ({path.stat().st_size} bytes): maps {maps.shape}, held-out accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
