#!/usr/bin/env python3
"""Draws dateline's shipped share images (no dependencies beyond the standard library):

  crates/web/static/logo.png        512 x 512   publisher logo (schema.org `publisher.logo`)
  crates/web/static/site-image.png  1200 x 630  site image (`og:image` of pages without one)

Both are the mark of logo.svg (a sun on a horizon over three lines of type: a dateline) drawn
as flat shapes, circles anti-aliased by 4x4 supersampling. Social sites do not take SVG for
cards, hence the PNGs. Re-run after changing a shape: python3 scripts/make_share_images.py
"""

import os
import struct
import zlib

NAVY = (0x1F, 0x2A, 0x36)
CREAM = (0xF6, 0xED, 0xE4)
RED = (0xC8, 0x55, 0x3D)
GREY = (0x9A, 0xA5, 0xB1)


def png(path, width, height, pixel):
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row.extend(pixel(x, y))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", raw))
        f.write(chunk(b"IEND", b""))


def mark(ox, oy, size):
    """The mark in a size x size square at (ox, oy): shapes as (kind, colour, geometry)."""
    s = size / 512.0
    return [
        ("rect", NAVY, (ox, oy, ox + size, oy + size)),
        ("circle", CREAM, (ox + 256 * s, oy + 220 * s, 104 * s)),
        ("rect", NAVY, (ox + 96 * s, oy + 300 * s, ox + 416 * s, oy + 340 * s)),
        ("rect", RED, (ox + 96 * s, oy + 300 * s, ox + 416 * s, oy + 322 * s)),
        ("rect", CREAM, (ox + 96 * s, oy + 362 * s, ox + 416 * s, oy + 378 * s)),
        ("rect", GREY, (ox + 96 * s, oy + 396 * s, ox + 372 * s, oy + 408 * s)),
        ("rect", GREY, (ox + 96 * s, oy + 424 * s, ox + 330 * s, oy + 436 * s)),
    ]


def painter(background, shapes):
    def colour_at(x, y):
        c = background
        for kind, colour, g in shapes:
            if kind == "rect":
                if g[0] <= x < g[2] and g[1] <= y < g[3]:
                    c = colour
            elif (x - g[0]) ** 2 + (y - g[1]) ** 2 <= g[2] ** 2:
                c = colour
        return c

    def pixel(x, y):
        # Supersample only near circle edges; everything else is one sample.
        near_edge = any(
            kind == "circle" and abs(((x + 0.5 - g[0]) ** 2 + (y + 0.5 - g[1]) ** 2) ** 0.5 - g[2]) < 2
            for kind, _, g in shapes
        )
        if not near_edge:
            return bytes(colour_at(x + 0.5, y + 0.5))
        acc = [0, 0, 0]
        for i in range(4):
            for j in range(4):
                c = colour_at(x + (i + 0.5) / 4, y + (j + 0.5) / 4)
                for k in range(3):
                    acc[k] += c[k]
        return bytes(round(v / 16) for v in acc)

    return pixel


def main():
    static = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "web", "static")
    png(os.path.join(static, "logo.png"), 512, 512, painter(NAVY, mark(0, 0, 512)))
    lines = [
        ("rect", NAVY, (560, 215, 1100, 265)),
        ("rect", RED, (560, 300, 760, 316)),
        ("rect", GREY, (560, 350, 1060, 366)),
        ("rect", GREY, (560, 390, 980, 406)),
    ]
    png(os.path.join(static, "site-image.png"), 1200, 630, painter(CREAM, mark(100, 115, 400) + lines))


if __name__ == "__main__":
    main()
