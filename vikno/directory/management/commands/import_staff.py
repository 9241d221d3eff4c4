"""manage.py import_staff FILE [--send-links] [--dry-run]

Creates the staff accounts of a CSV file (columns in `vikno.directory.staff`; a sample is
data/samples/staff.csv) through the same audited services as the workspace's import screen, all
or nothing: if any line is wrong, nothing is created and every wrong line is listed. No password
is set; `--send-links` e-mails each new account with an address its one-time link to set it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vikno.accounts.services import password_link_base_url
from vikno.core.errors import ApplicationError
from vikno.directory.services import staff_import
from vikno.directory.staff import COLUMNS, parse_staff_csv


class Command(BaseCommand):
    help = "Create staff accounts from a CSV file (all or nothing). Columns: " + ",".join(COLUMNS)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, ';' or ',')")
        parser.add_argument("--send-links", action="store_true",
                            help="e-mail each new account its link to set the password")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and write nothing")
        parser.add_argument("--base-url", default="",
                            help="where the workspace is served (default: VIKNO_BASE_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = parse_staff_csv(options["file"].read_bytes())
            report = staff_import(actor=None, rows=rows, send_links=options["send_links"],
                                  base_url=password_link_base_url(options["base_url"]),
                                  dry_run=options["dry_run"])
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if not report.ok:
            for line, errors in sorted(report.errors.items()):
                self.stderr.write(f"line {line}: {'; '.join(errors)}")
            raise CommandError(f"Nothing imported: {len(report.errors)} of {report.rows} "
                               "lines are wrong.")
        if options["dry_run"]:
            self.stdout.write(f"The file is correct: {report.rows} accounts would be created.")
            return
        self.stdout.write(f"Created {len(report.created)} accounts without a password.")
        if options["send_links"]:
            self.stdout.write(f"Links to set the password sent: {report.links_sent}.")
        if report.without_email:
            self.stdout.write(f"Accounts without an e-mail (no link sent): {report.without_email}; "
                              "add the e-mail on the account's page in the workspace and "
                              "send the link there.")
