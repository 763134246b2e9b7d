"""Rows of a bulk run written as they come: CSV for spreadsheets, JSON lines for programs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Sequence, TextIO

from .predict import Row
from ..errors import ResNeXtError

__all__ = ["FORMATS", "RowWriter", "csv_cells", "csv_header", "failure_summary", "rows_csv"]

FORMATS = (".csv", ".jsonl")


def csv_header(model_ids: Sequence[str], topk: int) -> list[str]:
    """The CSV columns: path, status, then per model and rank the label, class index and probability."""
    columns = ["path", "status"]
    for vid in model_ids:
        for k in range(1, topk + 1):
            columns += [f"{vid} top{k}", f"{vid} top{k} index", f"{vid} top{k} probability"]
    return columns


def csv_cells(row: Row, model_ids: Sequence[str], topk: int) -> list:
    """A row's cells under [`csv_header`][resnext.bulk.results.csv_header] (empty cells where a model has no answer)."""
    cells = [row.path, row.status]
    for vid in model_ids:
        top = list(row.predictions.get(vid, ()))
        for k in range(topk):
            cells += [top[k].label, top[k].index, f"{top[k].probability:.6f}"] if k < len(top) else ["", "", ""]
    return cells


def rows_csv(rows: Sequence[Row], model_ids: Sequence[str], topk: int) -> str:
    """Rows as one CSV text, as [`RowWriter`][resnext.bulk.results.RowWriter] writes them."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(csv_header(model_ids, topk))
    writer.writerows(csv_cells(row, model_ids, topk) for row in rows)
    return buf.getvalue()


class RowWriter:
    """Writes each row to a new ``.csv`` or ``.jsonl`` file as soon as it is given, flushed.

    An existing file is never replaced unless ``overwrite`` is set: it may be a user's earlier results.
    """

    def __init__(self, path: str | Path, model_ids: Sequence[str], topk: int, overwrite: bool = False) -> None:
        """Open the file.

        Args:
            path: Where to write; the suffix chooses the format.
            model_ids: The models, in column order.
            topk: Classes per model.
            overwrite: Replace an existing file.

        Raises:
            ResNeXtError: An unknown suffix, an existing file, or a file that cannot be created.
        """
        self.path = Path(path)
        self.format = self.path.suffix.lower()
        if self.format not in FORMATS:
            raise ResNeXtError(f"Cannot write {self.path.name}: name the file .csv or .jsonl.")
        self._ids, self._topk = list(model_ids), topk
        try:
            self._file: TextIO = open(self.path, "w" if overwrite else "x", encoding="utf-8", newline="")
        except FileExistsError:
            raise ResNeXtError(f"{self.path} already exists; choose another name or pass --overwrite.") from None
        except OSError as exc:
            raise ResNeXtError(f"Cannot write {self.path} ({exc.strerror or exc}); choose another path.") from None
        if self.format == ".csv":
            self._csv = csv.writer(self._file)
            self._csv.writerow(csv_header(self._ids, topk))

    def write(self, row: Row) -> None:
        """Append one row and flush it to disk."""
        if self.format == ".csv":
            self._csv.writerow(csv_cells(row, self._ids, self._topk))
        else:
            self._file.write(json.dumps(row.record()) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> "RowWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def failure_summary(failed: int, total: int, then: str = "see the status column") -> str:
    """The one line a bulk run ends with when some files failed, e.g. "3 of 120 files could not be read; …"."""
    noun = "file" if total == 1 else "files"
    return f"{failed} of {total} {noun} could not be read; {then}."
