"""The report as CSV (one value a line) and as an Excel workbook (one sheet per section)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.report import iter_tables
from reports.suppression import BASE, HIDDEN

CSV_HEADER = ["section", "table", "table_key", "row", "row_key", "column", "value"]


def legend() -> list[str]:
    return [
        _(
            "Numbers of people are rounded to the nearest multiple of %(base)s, totals too "
            "(0 means 0–2 people, 5 means 3–7)."
        )
        % {"base": BASE},
        _("%(hidden)s: a statistic over fewer than five people, hidden.") % {"hidden": HIDDEN},
    ]


def _lines(tbl: dict):
    for row in tbl["rows"]:
        yield row["key"], row["label"], row["values"]
    if tbl["total"]:
        yield "total", tbl["total"]["label"], tbl["total"]["values"]


def _cell(value):
    return "" if value is None else value


def to_csv(report: dict) -> str:
    """Long format: one line per value, with the section, table, row and column it belongs to."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for section, tbl in iter_tables(report):
        for row_key, label, values in _lines(tbl):
            for column, value in zip(tbl["columns"], values, strict=True):
                writer.writerow(
                    [
                        section["title"],
                        tbl["title"],
                        tbl["key"],
                        label,
                        row_key,
                        column,
                        _cell(value),
                    ]
                )
    return out.getvalue()


# Excel allows at most 31 characters in a sheet's name, so each sheet has a short name of its
# own, chosen to fit in both languages; the sheet's first line is the section's full title.
SHEET_NAME_LENGTH = 31
COVER_SHEET = gettext_lazy("Report")
SHEET_NAMES = {
    "intake": gettext_lazy("Intakes"),
    "people": gettext_lazy("People in support and decisions"),
    "contact": gettext_lazy("Contact time"),
    "decisions": gettext_lazy("Decisions and appeals"),
    "staff": gettext_lazy("Caseload and visits"),
    "groups": gettext_lazy("Groups and meeting places"),
    "after": gettext_lazy("After support"),
}


def _sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique sheet name; one too long is shortened to whole words, never cut mid-word."""
    name = "".join(c for c in title if c not in "[]:*?/\\").strip()
    while len(name) > SHEET_NAME_LENGTH and " " in name:
        name = name.rsplit(" ", 1)[0].rstrip(" ,;–-")
    name, base, n = name[:SHEET_NAME_LENGTH], name, 2
    while name in used:
        name = f"{base[: SHEET_NAME_LENGTH - 3]} {n}"
        n += 1
    used.add(name)
    return name


def to_xlsx(report: dict) -> bytes:
    workbook = Workbook()
    info = workbook.active
    used: set[str] = set()
    info.title = _sheet_title(str(COVER_SHEET), used)
    period = report["period"]
    info.append([_("Statistics report")])
    info["A1"].font = Font(bold=True, size=14)
    info.append([_("Period"), period["start"], period["end"]])
    info.append([_("Stock figures on"), period["on_date"]])
    if report["suppressed"]:
        for line in legend():
            info.append([line])
    for section in report["sections"]:
        name = SHEET_NAMES.get(section["key"], section["title"])
        sheet = workbook.create_sheet(_sheet_title(str(name), used))
        sheet.append([section["title"]])
        sheet["A1"].font = Font(bold=True, size=14)
        for tbl in section["tables"]:
            _write_table(sheet, tbl)
    for sheet in workbook.worksheets:
        sheet.column_dimensions["A"].width = 45
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_table(sheet, tbl: dict) -> None:
    sheet.append([tbl["title"]])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    if tbl["note"]:
        sheet.append([tbl["note"]])
    if tbl["source"]:
        sheet.append([_("The review: “%(quote)s”") % {"quote": tbl["source"]}])
    sheet.append(["", *tbl["columns"]])
    for _key, label, values in _lines(tbl):
        sheet.append([label, *(_cell(v) for v in values)])
    sheet.append([])
