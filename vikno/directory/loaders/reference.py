"""`load_reference`: every reference file, in dependency order, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock
from vikno.directory import refcache
from vikno.directory.loaders.authorities import load_authorities, load_superiors
from vikno.directory.loaders.base import Counts, CsvFile, LoadError
from vikno.directory.loaders.calendar import load_holidays, load_martial_law
from vikno.directory.loaders.classifier import load_items, load_topics, load_versions
from vikno.directory.loaders.routing_rules import load_routing_rules
from vikno.directory.loaders.subtopics import load_subtopics
from vikno.directory.loaders.territories import load_territories
from vikno.directory.models import ClassifierVersion, Territory, Topic
from vikno.directory.selectors import forget_working_calendar

FILES = {
    "classifier_versions": "classifier_versions.csv",
    "classifier_items": "classifier_part1.csv",
    "topics": "classifier_topics.csv",
    "territories": "zakarpattia/katottg_zakarpattia.csv",
    "subtopics": "subtopics.csv",
    "authorities": "zakarpattia/authorities.csv",
    "authorities_extra": "zakarpattia/authorities_extra.csv",
    "authority_superiors": "zakarpattia/authority_superiors.csv",
    "routing_rules": "routing_rules.csv",
    "holidays": "calendar_holidays.csv",
    "martial_law": "calendar_martial_law.csv",
}
OPTIONAL = {"authorities_extra", "authority_superiors"}


@dataclass
class LoadReport:
    counts: dict[str, Counts] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": {name: c.as_dict() for name, c in self.counts.items()},
            "files": self.files,
        }


def _working_version(versions: dict[str, ClassifierVersion]) -> ClassifierVersion:
    """Sub-topics and rules attach to the edition valid today, or the newest one loaded."""
    today = clock.today()
    valid = [v for v in versions.values() if v.is_valid_on(today)]
    candidates = valid or list(versions.values())
    if not candidates:
        raise LoadError(FILES["classifier_versions"], 0, _("no classifier version is listed"))
    return max(candidates, key=lambda v: v.valid_from)


def load_reference(*, directory: Path, dry_run: bool = False) -> LoadReport:
    """Load (create or update) all reference data from `directory`.

    Idempotent: a second run with the same files writes nothing. Rows the files no longer list
    are counted as stale and kept. Any bad row rolls the whole load back.
    """
    sources = {name: CsvFile(directory, path) for name, path in FILES.items()}
    for name, source in sources.items():
        if name not in OPTIONAL and not source.exists():
            raise LoadError(source.name, 0, _("the file is missing"))
    present = {name: s for name, s in sources.items() if s.exists()}
    report = LoadReport(files={s.name: s.sha256() for s in present.values()})
    with transaction.atomic():
        counts = report.counts
        counts["classifier_versions"], versions = load_versions(sources["classifier_versions"])
        counts["classifier_items"] = load_items(sources["classifier_items"], versions)
        counts["topics"] = load_topics(sources["topics"], versions)
        counts["territories"] = load_territories(sources["territories"])
        working = _working_version(versions)
        topics = {t.code: t for t in Topic.objects.filter(version=working)}
        territories = {t.code: t for t in Territory.objects.all()}
        counts["subtopics"], subtopics = load_subtopics(sources["subtopics"], topics)
        authority_files = [sources["authorities"]]
        if "authorities_extra" in present:
            authority_files.append(sources["authorities_extra"])
        counts["authorities"], authorities = load_authorities(authority_files, territories)
        if "authority_superiors" in present:
            counts["authority_superiors"] = load_superiors(sources["authority_superiors"],
                                                           authorities)
        counts["routing_rules"] = load_routing_rules(
            sources["routing_rules"], subtopics=subtopics, topics=topics,
            territories=territories, authorities=authorities,
        )
        counts["holidays"] = load_holidays(sources["holidays"])
        counts["martial_law"] = load_martial_law(sources["martial_law"])
        audit.record(
            actor=None, action=AuditAction.REFERENCE_LOAD, after=report.as_dict(),
            object_label=f"reference data ({working.code})",
        )
        if dry_run:
            transaction.set_rollback(True)
        else:
            transaction.on_commit(forget_working_calendar)
            transaction.on_commit(refcache.forget)
    return report
