"""The demo's overview picture: the input, its feature maps and pooled maps, titled."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ._common import size


def _font(points: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=points)


def overview(panels: Sequence[tuple[str, np.ndarray]]) -> Image.Image:
    """The input, three feature maps and three pooled maps on one titled picture.

    ``panels`` is the input first, then (feature map, pooled map) pairs. Each map is
    drawn at its true size in pixels with the codelab's kind of axes (ticks every 100
    pixels), so the pooled maps are visibly a quarter of the feature maps.
    """
    title_font, label_font, tick_font = _font(30), _font(20), _font(14)
    ink, faint, paper = 20, 120, 255
    big = panels[0][1].shape[0]
    pad, tick_room, label_room, gap = 40, 34, 34, 24
    cell = tick_room + big + gap
    columns = 1 + (len(panels) - 1) // 2
    heading_room = 70
    width = pad + columns * cell - gap + pad
    small = panels[2][1].shape[0]
    height = heading_room + (label_room + big + tick_room) + (label_room + small + tick_room) + pad
    canvas = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(canvas)
    draw.text(
        (pad, 24),
        "The codelab's three 3x3 filters on the ascent image, then 2x2 max pooling",
        font=title_font,
        fill=ink,
    )

    def place(label: str, array: np.ndarray, left: int, top: int) -> None:
        h, w = array.shape
        x0, y0 = left + tick_room, top + label_room
        draw.text((x0, top + 4), label, font=label_font, fill=ink)
        canvas.paste(Image.fromarray(array), (x0, y0))
        draw.rectangle((x0 - 1, y0 - 1, x0 + w, y0 + h), outline=faint)
        for t in range(0, max(h, w), 100):
            if t < w:  # ticks below, numbered like the codelab's plots
                draw.line((x0 + t, y0 + h, x0 + t, y0 + h + 5), fill=faint)
                draw.text((x0 + t, y0 + h + 7), str(t), font=tick_font, fill=faint, anchor="mt")
            if t < h:
                draw.line((x0 - 6, y0 + t, x0 - 1, y0 + t), fill=faint)
                draw.text((x0 - 8, y0 + t), str(t), font=tick_font, fill=faint, anchor="rm")

    row1 = heading_room
    row2 = row1 + label_room + big + tick_room
    name, image = panels[0]
    place(f"{name}, {size(image.shape)}", image, pad, row1)
    for i in range((len(panels) - 1) // 2):
        (fname, fmap), (pname, pooled) = panels[1 + 2 * i], panels[2 + 2 * i]
        left = pad + (i + 1) * cell
        place(f"{fname}, {size(fmap.shape)}", fmap, left, row1)
        place(f"{pname}, {size(pooled.shape)}", pooled, left, row2)
    note = (
        "Top: feature maps, convpool.convolve\n"
        "with each filter as the codelab writes it,\n"
        "in (row, column) order, clamped to\n"
        "0..255, the 1-pixel margin kept.\n\n"
        "Bottom: convpool.max_pool keeps the\n"
        "largest pixel of each 2x2 block: a\n"
        "quarter of the pixels, the same features."
    )
    draw.multiline_text((pad + tick_room, row2 + label_room), note, font=label_font, fill=ink, spacing=8)
    return canvas
