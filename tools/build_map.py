"""Build `assets/world_robinson.npz` from Natural Earth's 1:110m admin-0 countries.

Run once when the source changes (`pip install -e ".[build]"` brings pyshp):

    python tools/build_map.py [--source ../shared/reference/naturalearth_lowres] [--tolerance 0.04]

Reads the shapefile with pyshp, drops Antarctica (nobody mines there in this game and it
eats a fifth of a Robinson map), fixes the missing ISO codes, simplifies each ring with
Douglas-Peucker (tolerance in degrees), projects to Robinson and stores int16
coordinates, so the game needs neither a GIS stack nor a projection at run time.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.ui.geo import SCALE, robinson  # noqa: E402 (after the path insert; pure numpy)

FIXES = {"Kosovo": "XKX", "France": "FRA", "Norway": "NOR", "N. Cyprus": "CYN", "Somaliland": "SOL"}
DROP = {"ATA"}


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker on a closed ring (keeps the first point and the farthest one)."""
    if len(points) < 8:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    far = int(np.argmax(np.hypot(*(points - points[0]).T)))
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b <= a + 1:
            continue
        seg = points[b] - points[a]
        rel = points[a + 1 : b] - points[a]
        norm = np.hypot(*seg) or 1e-12
        dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            mid = a + 1 + i
            keep[mid] = True
            stack += [(a, mid), (mid, b)]
    out = points[keep]
    return out if len(out) >= 4 else points


def ring_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def ring_centroid(xy: np.ndarray) -> np.ndarray:
    x, y = xy[:, 0], xy[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2 or 1e-12
    return np.array([((x + np.roll(x, -1)) * cross).sum(), ((y + np.roll(y, -1)) * cross).sum()]) / (6 * a)


def build(source: Path, out: Path, tolerance: float) -> dict[str, int]:
    import shapefile  # pyshp, a build-time dependency only

    reader = shapefile.Reader(str(source / "naturalearth_lowres"))  # encoding from the .cpg
    codes: list[str] = []
    names: list[str] = []
    rings: list[np.ndarray] = []
    ring_country: list[int] = []
    anchors: list[np.ndarray] = []
    for shape_rec in reader.iterShapeRecords():
        rec, shape = shape_rec.record, shape_rec.shape
        code = rec["iso_a3"]
        if not code or code.startswith("-"):
            code = FIXES.get(rec["name"], "")
        if not code or code in DROP:
            continue
        if code in codes:  # a second record for one code: append its rings to the first
            c = codes.index(code)
        else:
            c = len(codes)
            codes.append(code)
            names.append(rec["name"])
            anchors.append(np.zeros(2))
        parts = [*list(shape.parts), len(shape.points)]
        best = 0.0
        for a, b in itertools.pairwise(parts):
            lonlat = np.asarray(shape.points[a:b], dtype=np.float64)
            lonlat = simplify(lonlat, tolerance)
            x, y = robinson(lonlat[:, 0], lonlat[:, 1])
            xy = np.column_stack([x, y])
            rings.append(xy)
            ring_country.append(c)
            area = abs(ring_area(xy))
            if area > best:  # flows attach to the middle of the largest piece
                best, anchors[c] = area, ring_centroid(xy)
    offsets = np.cumsum([0] + [len(r) for r in rings])
    q = lambda a: np.round(np.asarray(a) / SCALE).astype(np.int16)  # noqa: E731
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        codes=np.array(codes),
        names=np.array(names),
        xy=q(np.concatenate(rings)),
        offsets=offsets.astype(np.int32),
        ring_country=np.array(ring_country, dtype=np.int16),
        anchor=q(np.array(anchors)),
    )
    return {"countries": len(codes), "rings": len(rings), "points": int(offsets[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared/reference/naturalearth_lowres")
    parser.add_argument("--out", type=Path, default=ROOT / "assets/world_robinson.npz")
    parser.add_argument("--tolerance", type=float, default=0.04, help="simplification, degrees")
    args = parser.parse_args()
    stats = build(args.source, args.out, args.tolerance)
    size = args.out.stat().st_size
    print(
        f"{args.out}: {stats['countries']} countries, {stats['rings']} rings, "
        f"{stats['points']} points, {size:,} bytes"
    )


if __name__ == "__main__":
    main()
