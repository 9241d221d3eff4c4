"""manage.py load_reference [--dir PATH] [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vikno.directory.loaders import LoadError, load_reference


class Command(BaseCommand):
    help = _(
        "Load the reference data (Classifier, territories, authorities, sub-topics, routing "
        "rules, working calendar) from versioned files. Safe to run again: unchanged rows are "
        "left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=Path(settings.BASE_DIR) / "data" / "reference",
            help=_("Directory of the reference files (default: data/reference)."),
        )
        parser.add_argument(
            "--dry-run", action="store_true",
            help=_("Validate and count, then roll everything back."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"]
        if not directory.is_dir():
            raise CommandError(_("No such directory: %(dir)s") % {"dir": directory})
        try:
            report = load_reference(directory=directory, dry_run=options["dry_run"])
        except LoadError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] == 0:
            return
        for name, counts in report.counts.items():
            line = ", ".join(f"{k} {v}" for k, v in counts.as_dict().items())
            self.stdout.write(f"{name:20} {line}")
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was saved."))
        elif not report.changed:
            self.stdout.write(_("Nothing changed."))
