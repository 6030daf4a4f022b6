#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the NumPy fixtures of the LossdData tests (good/ and broken/). Needs numpy.

Run from this folder: python3 make-npy-fixtures.py
"""
import struct

import numpy as np

rows = np.arange(12, dtype=np.float64).reshape(6, 2) / 4 - 1.25
classes = np.array([0, 1, 2, 1, 0, 2])


def save(path, array, version=None):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)


def raw(path, header, payload=b"", version=(1, 0)):
    """A file with a hand-made header dict (padded as numpy pads it)."""
    text = header.encode("latin1")
    prelude = 10 if version[0] == 1 else 12
    text += b" " * ((64 - (prelude + len(text) + 1) % 64) % 64) + b"\n"
    size = struct.pack("<H", len(text)) if version[0] == 1 else struct.pack("<I", len(text))
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY" + bytes(version) + size + text + payload)


# Good files: every element type and layout the reader takes.
save("good/x_f8.npy", rows)
save("good/x_f4.npy", rows.astype(np.float32))
save("good/x_i8.npy", (rows * 4).astype(np.int64))
save("good/x_i4.npy", (rows * 4).astype(np.int32))
save("good/x_u1.npy", (rows * 4 + 5).astype(np.uint8))
save("good/x_1d.npy", rows[:, 0].copy())
save("good/x_f8_v2.npy", rows, version=(2, 0))
save("good/x_f8_v3.npy", rows, version=(3, 0))
save("good/y_i8.npy", classes.astype(np.int64))
save("good/y_f8_2d.npy", np.stack([classes, -classes], axis=1).astype(np.float64))

# Broken files: one defect each.
save("broken/y_149.npy", classes[:5].astype(np.int64))
save("broken/x_fortran.npy", np.asfortranarray(rows))
save("broken/x_big_endian.npy", rows.astype(">f8"))
save("broken/x_complex.npy", rows.astype(np.complex128))
save("broken/x_3d.npy", rows.reshape(3, 2, 2))
save("broken/x_empty.npy", np.zeros((0, 2)))
save("broken/x_nan.npy", np.where(rows == 0.5, np.nan, rows))
with open("good/x_f8.npy", "rb") as f:
    whole = f.read()
with open("broken/x_truncated.npy", "wb") as f:
    f.write(whole[:-8])
with open("broken/x_extra_bytes.npy", "wb") as f:
    f.write(whole + b"\0" * 8)
with open("broken/x_bad_magic.npy", "wb") as f:
    f.write(b"\x93NUMPZ" + whole[6:])
with open("broken/x_truncated_header.npy", "wb") as f:
    f.write(whole[:40])
raw("broken/x_version9.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (6, 2), }", rows.tobytes(), version=(9, 0))
raw("broken/x_no_shape.npy", "{'descr': '<f8', 'fortran_order': False, }", rows.tobytes())
raw("broken/x_garbled_header.npy", "{'descr': '<f8', 'fortran_order': maybe, 'shape': (6, 2), }", rows.tobytes())

# Good CSV files holding the same table as good/x_f8.npy (features a, b) and good/y_i8.npy (target y),
# written differently: the tests check that each reads as the .npy pair does.
with open("good/table.csv", "w", newline="") as f:
    f.write("a,b,y\n")
    for (a, b), y in zip(rows, classes):
        f.write(f"{float(a)!r},{float(b)!r},{y}\n")
with open("good/table_styled.csv", "w", newline="") as f:
    # A byte order mark, CRLF line ends, a quoted header with a comma, columns in another order,
    # an unused text column, blanks around cells, blank lines (rows after them sit lower).
    f.write("\ufeffname, y ,\"b\",\"a, first\"\r\n")
    for i, ((a, b), y) in enumerate(zip(rows, classes)):
        f.write(f"\"row {i}, quoted\", {y} ,{float(b)!r}, {float(a):.17g}\r\n")
        if i == 2:
            f.write("\r\n  \r\n")
with open("good/table_pandas_index.csv", "w", newline="") as f:
    # As pandas' to_csv() writes it: an unnamed index column first.
    f.write(",a,b,y\n")
    for i, ((a, b), y) in enumerate(zip(rows, classes)):
        f.write(f"{i},{float(a)!r},{float(b)!r},{y}\n")
