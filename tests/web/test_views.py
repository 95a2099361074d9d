"""Small view helpers: the record timeline, the trend chart, the library, the checklist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from painpath.knowledge import load_knowledge
from painpath.pathway import load_pathway
from painpath.web._library import expect_steps, library
from painpath.web._procday import checklist_view
from painpath.web._render import ENV
from painpath.web._timeline import anchor, timeline
from painpath.web._trend import Point, trend_svg

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_timeline_is_newest_first_with_mme_and_relief_under_its_procedure() -> None:
    bundle = {
        "entry": [
            {"resource": r}
            for r in [
                {"resourceType": "Patient", "id": "p"},
                {
                    "resourceType": "Condition",
                    "id": "c",
                    "code": {"coding": [{"code": "M54.16"}]},
                    "onsetDateTime": "2026-01-01",
                },
                {
                    "resourceType": "MedicationStatement",
                    "id": "m",
                    "effectiveDateTime": "2026-03-01",
                    "medicationCodeableConcept": {"text": "oxycodone 10 mg"},
                },
                {
                    "resourceType": "Procedure",
                    "id": "x",
                    "performedDateTime": "2026-04-01",
                    "code": {"coding": [{"code": "64483", "display": "TFESI"}]},
                },
                {
                    "resourceType": "Observation",
                    "id": "o",
                    "partOf": [{"reference": "Procedure/x"}],
                    "code": {"text": "relief"},
                    "effectiveDateTime": "2026-04-01T12:00:00Z",
                    "valueQuantity": {"value": 80.0, "unit": "%"},
                },
            ]
        ]
    }
    document = {
        "mme_items": [
            {"drug": "oxycodone", "mme_per_day": 45.0, "evidence": ["MedicationStatement/m"]}
        ]
    }
    entries = timeline(bundle, document)
    assert [e.ref for e in entries] == ["Procedure/x", "MedicationStatement/m", "Condition/c"]
    assert "45 MME/day" in entries[1].detail
    assert any("80%" in d for d in entries[0].detail)
    assert entries[0].anchor == anchor("Procedure/x") == "r-Procedure-x"


def test_trend_chart_has_title_axes_points_and_procedure_marks() -> None:
    points = [Point(T0 + timedelta(days=i), float(v)) for i, v in enumerate([7, 6, 3])]
    svg = trend_svg(points, [(T0 + timedelta(days=1), "procedure")], title="My pain")
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert svg.count("<circle") == 3 and "stroke-dasharray" in svg
    assert "Pain score (0-10)" in svg and "Date (UTC)" in svg
    assert trend_svg([], [], title="x") == ""


def test_what_to_expect_is_split_in_time_order() -> None:
    steps = expect_steps("Before: eat lightly. The day: lie still. After: rest.")
    assert steps == [("Before", "Eat lightly."), ("The day", "Lie still."), ("After", "Rest.")]
    assert expect_steps("Just text.") == [("What to expect", "Just text.")]
    kb = load_knowledge()
    families = library(kb)
    assert len(families) == len(kb.families)
    assert sum(len(f.procedures) for f in families) == len(kb.procedures)


def test_checklist_next_step_and_recovery_timer() -> None:
    pathway = load_pathway()
    minimum = int(pathway.number(pathway.definition.checklist.recovery.minimum))
    data = {
        "procedure_day": {
            "steps": [
                {"step": "arrival", "at": T0.isoformat()},
                {"step": "recovery", "at": (T0 + timedelta(minutes=5)).isoformat()},
            ]
        }
    }
    view = checklist_view(data, T0 + timedelta(minutes=5 + minimum - 1))
    assert view.next_step == "gown"
    assert view.recovery is not None and view.recovery.minutes == minimum - 1
    assert view.recovery.state == "too-early"
    later = checklist_view(data, T0 + timedelta(minutes=5 + minimum))
    assert later.recovery is not None and later.recovery.state == "may-go-home"


def test_templates_escape_what_they_show() -> None:
    html = ENV.from_string("{{ x }}").render(x="<script>")
    assert html == "&lt;script&gt;"


def test_date_and_time_filters() -> None:
    render = ENV.from_string(
        "{{ a | day }}|{{ b | when }}|{{ c | when }}|{{ d | words }}|{{ e | num }}"
    )
    text = render.render(
        a="2026-06-05T10:00:00+00:00",
        b=datetime(2026, 6, 5, 9, 30, tzinfo=UTC),
        c="2026-06-05T09:30:00+02:00",
        d="refer-interventional",
        e=30.0,
    )
    assert text == "2026-06-05|2026-06-05 09:30 UTC|2026-06-05 09:30 +0200|refer interventional|30"
