"""Reading an uploaded table (a provider's roster, a body's registry export): CSV in UTF-8 or
xlsx, decided by the file's content, never by its name."""

from __future__ import annotations

import csv
import io
import zipfile


class TableRefused(Exception):
    """The file cannot be read as a table; the message says why and what is accepted."""


def read_table(uploaded, *, max_bytes: int, what: str) -> list[list]:
    """The file's rows, header first. `what` names the file in messages ("a roster")."""
    if uploaded.size > max_bytes:
        raise TableRefused(f"The file is {uploaded.size / 1048576:.1f} MB; {what} may be at "
                           f"most {max_bytes / 1048576:.0f} MB. Split it into several files.")
    data = uploaded.read()
    uploaded.seek(0)
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
            raise TableRefused("The file looks like a spreadsheet but cannot be read; save it "
                               "again as .xlsx or CSV.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableRefused("The file is neither .xlsx nor CSV in UTF-8 (by its content); "
                           "save it again as one of those.") from None
    if "\x00" in text or (text and not text.isprintable() and _binary_share(text) > 0.05):
        raise TableRefused("The file is not a CSV text file or an .xlsx file.")
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise TableRefused(f"The CSV cannot be read: {error}.") from None


def _binary_share(text: str) -> float:
    odd = sum(1 for ch in text[:4096] if not ch.isprintable() and ch not in "\r\n\t")
    return odd / max(1, min(len(text), 4096))
