"""load_reference on the real files under data/reference/."""

from __future__ import annotations

import csv
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from vikno.audit.models import AuditEvent
from vikno.directory.loaders import LoadError, load_reference
from vikno.directory.models import (
    Authority,
    ClassifierItem,
    Delivery,
    Holiday,
    MartialLawPeriod,
    RoutingRule,
    SubTopic,
    Territory,
    TerritoryLevel,
    Topic,
)
from vikno.directory.routing import route
from vikno.directory.selectors import current_version

pytestmark = pytest.mark.django_db

REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"
MODELS = (ClassifierItem, Topic, SubTopic, Territory, Authority, RoutingRule, Holiday,
          MartialLawPeriod)


@pytest.fixture
def loaded():
    return load_reference(directory=REFERENCE_DIR)


@pytest.fixture
def reference_copy(tmp_path):
    """A writable copy of the reference files; `edit(name, fn)` rewrites one CSV's rows."""
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target, ignore=shutil.ignore_patterns("*.geojson"))
    return target


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loads_the_whole_region(loaded):
    # then: the KATOTTG edition of Zakarpattia
    levels = {level: Territory.objects.filter(level=level).count() for level in TerritoryLevel}
    assert levels == {
        TerritoryLevel.OBLAST: 1, TerritoryLevel.RAION: 6,
        TerritoryLevel.HROMADA: 64, TerritoryLevel.SETTLEMENT: 607,
    }
    assert Authority.objects.count() >= 77
    assert Topic.objects.count() == 24
    assert loaded.counts["territories"].created == 678


def test_paths_run_from_the_oblast_down(loaded):
    village = Territory.objects.get(code="UA21020010020049781")

    assert village.path == (
        "UA21000000000011690/UA21020000000051405/UA21020010000055068/UA21020010020049781"
    )
    assert village.ancestor_codes()[2] == village.parent_id


def test_every_subtopic_maps_to_a_topic_of_the_current_version(loaded):
    version = current_version()

    assert version is not None and version.code == "858-2024"
    assert not SubTopic.objects.exclude(topic__version=version).exists()
    for child in SubTopic.objects.filter(parent__isnull=False).select_related("parent"):
        assert child.topic_id == child.parent.topic_id, child.code
        assert child.parent.parent_id is None, child.code


def test_every_part_ii_topic_has_a_leaf(loaded):
    leaves = SubTopic.objects.filter(children__isnull=True)

    for topic in Topic.objects.all():
        assert leaves.filter(topic=topic).exists(), topic.code


def test_classifier_codes_used_by_the_case_file_exist(loaded):
    # The appeals models store these codes as choices; the Classifier must know each of them.
    codes = set(ClassifierItem.objects.values_list("code", flat=True))

    assert {"1.1", "1.1.1", "1.2", "1.3", "1.4", "1.5", "1.6"} <= codes
    assert {"2.1", "2.2", "2.3", "2.4", "2.5", "3.1", "3.2", "3.3", "4.1", "4.2"} <= codes
    assert {"5.1", "5.2", "5.3"} <= codes
    privileged = ClassifierItem.objects.filter(axis=7, is_privileged=True)
    assert privileged.filter(code="7.16").exists()
    assert ClassifierItem.objects.filter(axis=8).count() >= 10


def test_axes_6_and_7_follow_the_resolution(loaded):
    # Axis 6 of Resolution No. 858 has no "electronic" type (see docs/adr/0009); axis 7 runs
    # 7.1–7.19 in the Resolution's order, "other categories" last.
    def axis(number):
        return list(ClassifierItem.objects.filter(axis=number).order_by("sort")
                    .values_list("code", "name"))

    assert [code for code, _name in axis(6)] == ["6.1", "6.2", "6.3"]
    categories = dict(axis(7))
    assert list(categories) == [f"7.{n}" for n in range(1, 20)]
    assert (categories["7.5"], categories["7.6"]) == ("учасник бойових дій", "ветеран праці")
    assert (categories["7.15"], categories["7.19"]) == (
        "учасник ліквідації наслідків аварії на Чорнобильській АЕС", "інші категорії")


def test_authorities_are_linked_as_the_sources_say(loaded):
    department = Authority.objects.get(code="ZAK-ODA-DSZN")
    hotline = Authority.objects.get(code="UA-UKC-1545")
    council = Authority.objects.get(code="ZAK-TG-UA21100230000083101")

    assert department.parent.code == "ZAK-ODA"
    assert (hotline.delivery, hotline.territory_id, hotline.level) == (Delivery.GCC, None, "national")
    assert (council.level, council.territory.name, council.kind) == ("hromada", "Ужгородська",
                                                                      "city_council")
    # Bodies the sources lack are listed as planned and stay off until confirmed.
    planned = Authority.objects.filter(source_url="planned, to be confirmed")
    assert planned.exists()
    assert not planned.filter(is_active=True).exists()


@pytest.mark.parametrize(("code", "superior"), [
    ("ZAK-RDA-UZH", "ZAK-ODA"),  # a raion administration: subordinate to the oblast's
    ("ZAK-TG-UA21100230000083101", "ZAK-ODA"),  # a hromada council (ADR 12)
    ("ZAK-ODA-DSZN", "ZAK-ODA"),  # a department of the oblast administration
    ("ZAK-ODA", None),  # no body of the region above it
    ("ZAK-OBLRADA", None),
    ("UA-UKC-1545", None),
])
def test_complaints_go_up_the_chain_the_files_give(loaded, code, superior):
    # given the real files loaded / then (ст.16)
    found = Authority.objects.get(code=code).superior
    assert (found.code if found else None) == superior


def test_second_run_changes_nothing(loaded):
    # given the files loaded once
    before = table_counts()

    # when
    again = load_reference(directory=REFERENCE_DIR)

    # then
    assert not again.changed
    assert all(c.created == c.updated == 0 for c in again.counts.values())
    assert table_counts() == before


def test_each_load_records_one_audit_event(loaded):
    # when
    load_reference(directory=REFERENCE_DIR)

    # then
    events = list(AuditEvent.objects.filter(action="reference.load"))
    assert len(events) == 2
    first, second = (e.after["counts"] for e in events)
    assert first["territories"]["created"] == 678
    assert second["territories"] == {"created": 0, "updated": 0, "unchanged": 678, "stale": 0}
    assert "subtopics.csv" in events[0].after["files"]


def test_a_changed_row_is_updated_in_place(loaded, reference_copy):
    # given a sub-topic renamed in the file
    def rename(rows):
        rows[1]["name"] = "Renamed sub-topic"
    rewrite(reference_copy / "subtopics.csv", rename)
    count = SubTopic.objects.count()

    # when
    report = load_reference(directory=reference_copy)

    # then
    assert report.counts["subtopics"].updated == 1
    assert SubTopic.objects.count() == count
    assert SubTopic.objects.filter(name="Renamed sub-topic").count() == 1


def test_a_changed_rule_target_updates_the_rule_instead_of_adding_one(loaded, reference_copy):
    # given the social-protection rule pointed at the oblast administration instead
    def retarget(rows):
        for row in rows:
            if row["topic_code"] == "006":
                row["authority_code"] = "ZAK-ODA"
    rewrite(reference_copy / "routing_rules.csv", retarget)
    rules = RoutingRule.objects.count()

    # when
    load_reference(directory=reference_copy)

    # then
    assert RoutingRule.objects.count() == rules
    assert RoutingRule.objects.get(topic__code="006").authority.code == "ZAK-ODA"


def test_rows_dropped_from_the_files_are_kept_and_reported(loaded, reference_copy):
    # given a routing rule removed from the file
    rewrite(reference_copy / "routing_rules.csv", lambda rows: rows.pop(0))

    # when
    report = load_reference(directory=reference_copy)

    # then
    assert report.counts["routing_rules"].stale == 1
    assert RoutingRule.objects.count() == loaded.counts["routing_rules"].created


@pytest.mark.parametrize(
    ("file", "change", "line"),
    [
        ("subtopics.csv", lambda rows: rows[5].update(parent_code="999.999"), 7),
        ("subtopics.csv", lambda rows: rows[2].update(topic_code="077"), 4),
        ("subtopics.csv", lambda rows: rows[3].update(needs_study="maybe"), 5),
        ("routing_rules.csv", lambda rows: rows[0].update(authority_code="NOWHERE"), 2),
        ("routing_rules.csv", lambda rows: rows[1].update(authority_code="ZAK-ODA"), 3),
        ("classifier_part1.csv", lambda rows: rows[0].update(axis="9"), 2),
        ("zakarpattia/katottg_zakarpattia.csv",
         lambda rows: rows[10].update(parent_code="UA21999999999999999"), 12),
        ("zakarpattia/authorities.csv",
         lambda rows: rows[3].update(jurisdiction_katottg="UA21999999999999999"), 5),
        ("zakarpattia/authorities.csv", lambda rows: rows[3].update(email="not an e-mail"), 5),
        ("zakarpattia/authorities.csv", lambda rows: rows[3].update(authority_type="ministry"), 5),
        ("zakarpattia/authorities_extra.csv", lambda rows: rows[0].update(authority_id="ZAK-ODA"),
         2),
        ("calendar_holidays.csv", lambda rows: rows[4].update(date="2021-02-30"), 6),
        ("calendar_holidays.csv", lambda rows: rows[6].update(date=rows[5]["date"]), 8),
        ("calendar_holidays.csv", lambda rows: rows[2].update(name=""), 4),
        ("calendar_martial_law.csv", lambda rows: rows[0].update(valid_to="2022-03-01"), 2),
        ("classifier_versions.csv", lambda rows: rows[0].update(valid_to="2001-01-01"), 2),
        ("classifier_part1.csv", lambda rows: rows[3].update(version="858-1999"), 5),
        ("zakarpattia/authority_superiors.csv",
         lambda rows: rows[0].update(superior_id="NOWHERE"), 2),
        ("zakarpattia/authority_superiors.csv",
         lambda rows: rows[1].update(authority_id="NOWHERE"), 3),
        ("zakarpattia/authority_superiors.csv",
         lambda rows: rows[2].update(superior_id=rows[2]["authority_id"]), 4),
    ],
)
def test_bad_data_fails_with_file_and_line_and_loads_nothing(reference_copy, file, change, line):
    # given a copy of the files with one bad row
    rewrite(reference_copy / file, change)

    # when
    with pytest.raises(LoadError) as failed:
        load_reference(directory=reference_copy)

    # then
    assert failed.value.extra == {"file": file, "line": line}
    assert failed.value.message.startswith(file)
    assert table_counts() == dict.fromkeys(table_counts(), 0)
    assert not AuditEvent.objects.filter(action="reference.load").exists()


def test_a_missing_file_is_named(reference_copy):
    (reference_copy / "routing_rules.csv").unlink()

    with pytest.raises(LoadError) as failed:
        load_reference(directory=reference_copy)

    assert failed.value.extra["file"] == "routing_rules.csv"
    assert Territory.objects.count() == 0


@pytest.mark.parametrize(
    ("subtopic", "settlement", "authority"),
    [
        # "no hot water" in a village goes to the council of the village's hromada
        ("Відсутність гарячої води", "UA21020010020049781", "ZAK-TG-UA21020010000055068"),
        ("Відсутність гарячої води", "UA21100230010016545", "ZAK-TG-UA21100230000083101"),
        ("Житлові субсидії: призначення та перерахунок", "UA21020010020049781", "ZAK-ODA-DSZN"),
        ("Вакцинація", "UA21100230010016545", "ZAK-ODA-DOZ"),
        ("Робота структурних підрозділів адміністрацій", "UA21100230010016545", "ZAK-ODA"),
        # a planned body stays off, so its rule falls back to the topic's hromada rule
        ("Автомобільні дороги між населеними пунктами", "UA21020010020049781",
         "ZAK-TG-UA21020010000055068"),
        ("Інше питання: промислова політика", "UA21020010020049781", "ZAK-ODA"),
    ],
)
def test_real_rules_route_to_the_competent_body(loaded, subtopic, settlement, authority):
    # given the real files loaded / when
    chosen = route(SubTopic.objects.get(name=subtopic), Territory.objects.get(code=settlement))

    # then
    assert chosen.code == authority


def test_command_loads_and_reports(reference_copy):
    out = StringIO()

    call_command("load_reference", "--dir", str(reference_copy), stdout=out)

    assert "territories" in out.getvalue()
    assert Territory.objects.count() == 678


def test_command_dry_run_saves_nothing(reference_copy):
    out = StringIO()

    call_command("load_reference", "--dir", str(reference_copy), "--dry-run", stdout=out)

    assert "created 678" in out.getvalue()
    assert Territory.objects.count() == 0


def test_command_turns_bad_data_into_a_command_error(reference_copy):
    rewrite(reference_copy / "subtopics.csv", lambda rows: rows[5].update(parent_code="999.999"))

    with pytest.raises(CommandError, match=r"subtopics\.csv"):
        call_command("load_reference", "--dir", str(reference_copy), stdout=StringIO())
