#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks a screenshot of a lossd chart against the SVG it was taken of.

Usage: Scripts/check-chart-png.py CHART.svg SCREENSHOT.png

What a person checks by eye, measured on the pixels (the SVG is drawn at 1:1 at the top left of
the screenshot): the frame is drawn; every job's line colour appears inside the frame and
nowhere outside it except in its legend swatch; tick labels and the legend text are drawn (dark
pixels left of and below the frame, and right of it). Python's standard library only: the PNG is
decoded with zlib.
"""
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG = "{http://www.w3.org/2000/svg}"


def read_png(path):
    """Returns (width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG file")
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace != 0:
        sys.exit(f"{path}: expected an 8-bit RGB(A) non-interlaced PNG, found depth {depth} colour type {color}")
    channels = 4 if color == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + predictor) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


def hex_color(text):
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


def close(a, b, tolerance=12):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    svg = ET.parse(sys.argv[1]).getroot()
    frame = next(r for r in svg.iter(SVG + "rect") if r.get("class") == "frame")
    fx, fy = float(frame.get("x")), float(frame.get("y"))
    fw, fh = float(frame.get("width")), float(frame.get("height"))
    colors = {}
    for line in svg.iter(SVG + "polyline"):
        colors.setdefault(line.get("data-job"), hex_color(line.get("stroke")))
    legend = [float(l.get("x1")) for g in svg.iter(SVG + "g") if g.get("class") == "legend" for l in g.iter(SVG + "line")]
    legend_x = min(legend) if legend else fx + fw
    width, height, pixels = read_png(sys.argv[2])
    failures = []

    def inside(x, y, pad=5):
        return fx - pad <= x <= fx + fw + pad and fy - pad <= y <= fy + fh + pad

    # The frame: dark pixels along each of its four edges.
    edges = {
        "top": [(x, round(fy)) for x in range(round(fx), round(fx + fw))],
        "bottom": [(x, round(fy + fh)) for x in range(round(fx), round(fx + fw))],
        "left": [(round(fx), y) for y in range(round(fy), round(fy + fh))],
        "right": [(round(fx + fw), y) for y in range(round(fy), round(fy + fh))],
    }
    for name, points in edges.items():
        dark = sum(1 for x, y in points if max(max(pixels[y + d][x]) for d in (-1, 0, 1)) < 160 or
                   min(max(pixels[y][x + d]) for d in (-1, 0, 1)) < 160)
        if dark < 0.9 * len(points):
            failures.append(f"the frame's {name} edge is not drawn ({dark} of {len(points)} pixels dark)")

    # Each job's colour: inside the frame, and outside it only in the legend.
    for job, color in colors.items():
        inner = outer = 0
        for y in range(height):
            for x, pixel in enumerate(pixels[y]):
                if close(pixel, color):
                    if inside(x, y):
                        inner += 1
                    elif not (x >= legend_x - 2):
                        outer += 1
        print(f"  {job}: {inner} pixels of {'#%02x%02x%02x' % color} inside the frame, {outer} outside it")
        if inner < 5:
            failures.append(f"the line of {job} is not visible inside the frame")
        if outer > 0:
            failures.append(f"the line of {job} is drawn outside the frame ({outer} pixels)")

    # Text: dark pixels where the tick labels (left of and below the frame) and the legend are.
    def dark_pixels(x0, x1, y0, y1):
        return sum(1 for y in range(max(0, y0), min(height, y1)) for x in range(max(0, x0), min(width, x1))
                   if max(pixels[y][x]) < 100)
    for what, count in [("loss tick labels", dark_pixels(0, round(fx) - 6, round(fy) - 8, round(fy + fh) + 8)),
                        ("step tick labels", dark_pixels(round(fx) - 10, round(fx + fw) + 10, round(fy + fh) + 8, round(fy + fh) + 48)),
                        ("title", dark_pixels(round(fx), width, 0, round(fy) - 8)),
                        ("legend", dark_pixels(round(legend_x), width, round(fy), round(fy + fh)))]:
        print(f"  {what}: {count} dark pixels")
        if count < 50:
            failures.append(f"no {what} drawn")

    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"OK: {sys.argv[2]} ({width}x{height}) shows the frame, {len(colors)} lines inside it, labels and legend")


if __name__ == "__main__":
    main()
