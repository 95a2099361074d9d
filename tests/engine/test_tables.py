"""_tables: the knowledge indexes the rules look up are built once per Knowledge and agree with
the knowledge they index."""

from __future__ import annotations

from dataclasses import replace

from painpath.engine._systems import CPT_SYSTEMS, SNOMED
from painpath.engine._tables import tables
from painpath.knowledge import load_knowledge

KB = load_knowledge()


def test_the_tables_are_built_once_per_knowledge_base() -> None:
    assert tables(KB) is tables(KB)
    assert tables(replace(KB, version="changed")) is not tables(KB)


def test_numbers_are_the_knowledge_numbers() -> None:
    t = tables(KB)
    assert t.chronic_months == int(KB.number("chronic-months"))
    assert t.conservative_min_weeks == KB.number("conservative-min-weeks")
    assert t.lookback_months == int(KB.number("conservative-lookback-months"))
    assert t.intake_window_days == KB.number("intake-window-days")
    assert t.default_days == KB.number("medication-request-default-days")
    assert t.days_per_month == KB.number("days-per-month")
    assert (t.mme_reassess, t.mme_high) == (KB.number("mme-reassess"), KB.number("mme-high"))
    assert t.cancer is KB.codes("cancer-pain")
    assert t.nrs_code == next(i.code for i in KB.instruments.instruments if i.id == "nrs")


def test_procedures_keep_knowledge_order_and_are_found_by_each_of_their_groups() -> None:
    t = tables(KB)
    assert [e.procedure.id for e in t.procedures] == list(KB.procedures)
    for i, entry in enumerate(t.procedures):
        assert entry.indications == tuple(entry.procedure.indications)
        assert entry.also_indications == tuple(entry.procedure.also_indications)
        for gid in (*entry.indications, *entry.also_indications):
            assert i in t.procedures_by_group[gid]
    for gid, found in t.procedures_by_group.items():
        assert list(found) == sorted(set(found))
        for i in found:
            proc = t.procedures[i].procedure
            assert gid in (*proc.indications, *proc.also_indications)


def test_session_families_by_cpt_follow_the_family_order_with_regions() -> None:
    t = tables(KB)
    for cpt, families in t.sessions_by_cpt.items():
        expected = [
            (fam.id, fam.regions.get(cpt))
            for fam in KB.session_families.values()
            if cpt in fam.cpt.codes
        ]
        assert list(families) == expected
    every = {c for fam in KB.session_families.values() for c in fam.cpt.codes}
    assert set(t.sessions_by_cpt) == every


def test_physical_therapy_codes_pair_each_code_with_its_systems() -> None:
    expected = {
        (system, code)
        for code_set in KB.procedures_file.physical_therapy
        for system in (CPT_SYSTEMS if code_set.system == "cpt" else {SNOMED})
        for code in code_set.codes
    }
    assert tables(KB).physical_therapy == expected
