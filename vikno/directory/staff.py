"""Staff lists: the rows of a staff file (CSV) and their parsing, before any account is written.

The file is UTF-8 (with or without a byte order mark), its separator `;` or `,`, its first line
the column names of `COLUMNS` (any order; `REQUIRED` must be there). `role` is a role's code
(`executor`) or its Ukrainian name (`Виконавець`); `is_head` is empty, 1/0, так/ні or yes/no.
The rows are then written by `directory.services.staff_import`, all or nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from vikno.accounts.errors import AccountsError, Code
from vikno.accounts.roles import Role

COLUMNS = ("username", "last_name", "first_name", "patronymic", "email", "position", "role",
           "authority_code", "is_head")
REQUIRED = ("username", "last_name", "first_name", "role")
MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024
YES = frozenset({"1", "так", "т", "yes", "y", "true", "+"})
NO = frozenset({"", "0", "ні", "н", "no", "n", "false", "-"})


@dataclass(frozen=True)
class StaffData:
    """One staff member as the security administrator enters them (screen or file)."""

    username: str
    role: str
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    email: str = ""
    position: str = ""
    authority_code: str = ""
    is_head: bool = False


@dataclass
class StaffRow:
    """A line of the file: what was read and what is wrong with it before the services look."""

    line: int
    data: StaffData
    errors: list[str] = field(default_factory=list)


def _role_names() -> dict[str, str]:
    names = {value: value for value in Role.values}
    for lang in ("uk", "en"):
        with translation.override(lang):
            names.update({str(label).lower(): value for value, label in Role.choices})
    return names


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise AccountsError(Code.INVALID_VALUE, _("The file is too large (at most 1 MB)."),
                            field="file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AccountsError(Code.INVALID_VALUE, _(
            "The file is not in UTF-8: save it from the spreadsheet as «CSV UTF-8»."),
            field="file") from exc


def parse_staff_csv(content: bytes) -> list[StaffRow]:
    """The rows of a staff file, each with the errors that can be seen without the database.

    A file that cannot be read at all (not UTF-8, no header, a required column missing, too
    many rows) is refused as a whole with AccountsError."""
    text = _text(content).replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if not any(header) or missing:
        raise AccountsError(Code.INVALID_VALUE, _(
            "The first line must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing or REQUIRED)}, field="file")
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise AccountsError(Code.INVALID_VALUE, _("Unknown columns: %(columns)s.")
                            % {"columns": ", ".join(unknown)}, field="file")
    roles = _role_names()
    rows: list[StaffRow] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise AccountsError(Code.INVALID_VALUE, _("The file has more than %(count)s rows.")
                                % {"count": MAX_ROWS}, field="file")
        cells = {name: (values[i].strip() if i < len(values) else "")
                 for i, name in enumerate(header) if name}
        errors: list[str] = []
        if len(values) > len(header):
            errors.append(_("The line has more values than the header has columns."))
        role = roles.get(cells.get("role", "").lower(), "")
        if not role:
            errors.append(_("Unknown role «%(role)s».") % {"role": cells.get("role", "")})
        head_text = cells.get("is_head", "").lower()
        if head_text not in YES | NO:
            errors.append(_("The column is_head takes 1 or 0 (так or ні)."))
        rows.append(StaffRow(line=reader.line_num, errors=errors, data=StaffData(
            username=cells.get("username", ""), role=role,
            last_name=cells.get("last_name", ""), first_name=cells.get("first_name", ""),
            patronymic=cells.get("patronymic", ""), email=cells.get("email", ""),
            position=cells.get("position", ""), authority_code=cells.get("authority_code", ""),
            is_head=head_text in YES)))
    if not rows:
        raise AccountsError(Code.INVALID_VALUE, _("The file has no staff rows."), field="file")
    return rows
