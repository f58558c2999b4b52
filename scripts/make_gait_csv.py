"""Write sklearn_mlpreg/datasets/data/gait.csv from the lecture's printed table.

The table in the lecture text (``shared/seeds/*.txt``) is 23 tab-separated
rows under a header that starts with ``No	age``. Two cells are damaged:

* row 6 lost its ``px`` value, so the rest of the row is shifted one column
  to the left: ``px`` is written as missing and the other cells are moved
  back under their headers;
* row 7's ``px`` cell holds slide text (``x_i^n``): written as missing.

Usage::

    python scripts/make_gait_csv.py SEED_TEXT [OUTPUT_CSV]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HEADER = ["No", "age", "t1", "t2", "t3", "t4", "t5", "t6", "time", "Step frequency",
          "n1", "n2", "n3", "n4", "n5", "n6", "px", "py", "pz", "Steps", "Gender",
          "TUG", "y1", "BBS", "y2"]
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "sklearn_mlpreg" / "datasets" \
    / "data" / "gait.csv"


def parse_table(text: str) -> list[list[str]]:
    """The 23 data rows of the printed table, repaired, as lists of strings."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("No\tage"))
    if lines[start].split("\t") != HEADER:
        raise ValueError(f"unexpected header: {lines[start]!r}")
    rows = []
    for line in lines[start + 1:]:
        cells = [c.strip() for c in line.split("\t")]
        if not cells[0].isdigit():
            break
        rows.append(repair(cells))
    if len(rows) != 23:
        raise ValueError(f"expected 23 rows, found {len(rows)}")
    return rows


def repair(cells: list[str]) -> list[str]:
    """Undo the two known kinds of damage; check every other row's width."""
    px = HEADER.index("px")
    number = int(cells[0])
    if number == 6:  # px lost, the rest shifted left; a trailing empty cell remains
        cells = cells[:px] + [""] + [c for c in cells[px:] if c != ""]
    if number == 7 and cells[px] == "x_i^n":  # slide text instead of a number
        cells[px] = ""
    cells = cells[: len(HEADER)]
    if len(cells) != len(HEADER):
        raise ValueError(f"row {number} has {len(cells)} cells")
    return cells


def main(argv: list[str]) -> int:
    seed = Path(argv[1])
    output = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUTPUT
    rows = parse_table(seed.read_text(encoding="utf-8"))
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
