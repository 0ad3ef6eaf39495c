#!/usr/bin/env python3
"""Draws Kepil's icon (a white padlock on a teal rounded square) without any imaging library,
and writes the PNG sizes Tauri's bundler wants plus icon.ico (PNG-in-ICO). Run from anywhere:
`python3 icons/generate.py`. The output is committed; this script documents how it was made."""
import math, os, struct, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TEAL = (11, 93, 91)
GOLD = (233, 180, 60)


def coverage(x, y):
    """Colour and alpha at (x, y) in the unit square."""
    # Rounded square background.
    r = 0.18
    dx = max(abs(x - 0.5) - (0.5 - r), 0.0)
    dy = max(abs(y - 0.5) - (0.5 - r), 0.0)
    if math.hypot(dx, dy) > r:
        return None
    # Padlock body.
    if 0.27 <= x <= 0.73 and 0.46 <= y <= 0.80:
        # keyhole
        if math.hypot(x - 0.5, y - 0.58) < 0.055 or (0.477 <= x <= 0.523 and 0.58 <= y <= 0.70):
            return TEAL
        return (255, 255, 255)
    # Shackle: a ring segment above the body.
    d = math.hypot(x - 0.5, y - 0.46)
    if y <= 0.46 and 0.13 <= d <= 0.19:
        return (255, 255, 255)
    # Gold stripe (the attachment) along the bottom.
    if 0.84 <= y <= 0.88 and 0.27 <= x <= 0.73:
        return GOLD
    return TEAL


def render(size, ss=4):
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(ss):
                for si in range(ss):
                    c = coverage((i + (si + 0.5) / ss) / size, (j + (sj + 0.5) / ss) / size)
                    if c is not None:
                        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 1
            n = acc[3]
            if n:
                row += bytes([acc[0] // n, acc[1] // n, acc[2] // n, 255 * n // (ss * ss)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def png(size):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(render(size), 9)) + chunk(b"IEND", b"")


def main():
    out = {}
    for name, size in [("32x32.png", 32), ("64x64.png", 64), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        data = png(size)
        out[size] = data
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    # ICO with PNG entries (Windows Vista and later read these).
    sizes = [32, 64, 128, 256]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        data = out[s]
        entries += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        blobs += data
    with open(os.path.join(HERE, "icon.ico"), "wb") as f:
        f.write(header + entries + blobs)


if __name__ == "__main__":
    main()
