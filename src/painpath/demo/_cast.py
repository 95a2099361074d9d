"""Who is in the demo clinic: thirteen patients, each with a story ending at one pathway stage.

Ten come from the public vignettes (`shared/vignettes`), three from the Synthea sample
(`shared/data/synthea-smart-generated-sample-data-r4`: hip and knee osteoarthritis, diabetic
neuropathy with chronic pain). Names are invented for the demo (Synthea's are kept, without
the generator's digits). Days count from the day the demo is loaded (`_types.Member`).
"""

from __future__ import annotations

from dataclasses import replace

from painpath.demo._types import Consult, Member, Plan, Visit

__all__ = ["CAST"]


_RADICULAR = Consult(
    history="Right leg pain along the L5 dermatome since last autumn, worse sitting and walking.",
    previous_treatments="8 weeks of physical therapy; ibuprofen for 4 months, partial help.",
    imaging="MRI lumbar spine: L4-5 disc protrusion contacting the right L5 root, concordant.",
    symptoms="Burning right leg pain, NRS 7; tingling on the dorsum of the foot.",
    exam="Positive straight leg raise on the right at 40 degrees; power and reflexes intact.",
)

CAST: tuple[Member, ...] = (
    Member(
        "onset-3-months",
        "vignette:onset-exactly-3-months",
        "Grace",
        "Okafor",
        "referred",
        "Left sciatica for three months despite physical therapy; MRI concordant.",
        referred_days_ago=1,
    ),
    Member(
        "pierre-bosco",
        "synthea:Pierre_Bosco",
        "Pierre",
        "Bosco",
        "referred",
        "Right knee pain for about two months; asks whether an injection could help.",
        referrer=None,
        referred_days_ago=2,
    ),
    Member(
        "hypertension-only",
        "vignette:hypertension-only",
        "Ruth",
        "Jensen",
        "consultation",
        "Diffuse aches; referred to rule out an interventional option.",
        referred_days_ago=12,
        consult=Consult(
            history="Widespread aches for years, no focal pain generator described.",
            previous_treatments="Paracetamol as needed; regular walking.",
            symptoms="Diffuse muscular aches, NRS 3; no radiating pain.",
            exam="No focal tenderness, full range of motion, neurology normal.",
            tests_ordered="None at this stage.",
        ),
    ),
    Member(
        "danae-kshlerin",
        "synthea:Danae_Kshlerin",
        "Danae",
        "Kshlerin",
        "consultation",
        "Painful diabetic neuropathy of both feet and chronic pain; migraine history.",
        referred_days_ago=9,
        consult=Consult(
            history="Burning pain in both feet for years (type 2 diabetes); chronic migraine.",
            previous_treatments="Gabapentin trial stopped for drowsiness; diabetic foot care.",
            symptoms="Stocking-distribution burning and night pain, NRS 4.",
            exam="Reduced vibration and pinprick sense to the ankles; pulses present.",
            tests_ordered="HbA1c; nerve conduction studies.",
        ),
    ),
    Member(
        "acute-sciatica",
        "vignette:acute-sciatica",
        "Linda",
        "Moreau",
        "assessed",
        "Sciatica for three weeks, severe.",
        assessed=2,
        consult=Consult(
            history="Sudden right leg pain three weeks ago after lifting; no trauma.",
            previous_treatments="None yet beyond rest.",
            symptoms="Right leg pain NRS 8; no bladder or bowel change; no saddle numbness.",
            exam="Positive straight leg raise; no motor deficit; normal perianal sensation.",
            tests_ordered="None: no red flags; imaging only if no improvement.",
        ),
    ),
    Member(
        "warfarin-esi",
        "vignette:warfarin-esi",
        "Dorothy",
        "Novak",
        "planned",
        "Lumbar radicular pain; on warfarin for atrial fibrillation.",
        assessed=5,
        consult=replace(_RADICULAR, tests_ordered="INR on the morning of the procedure."),
        plan=Plan(
            "esi-transforaminal-lumbar",
            physical_therapy="Resume the home exercise programme two days after the injection.",
            medication_changes=(
                "Warfarin: hold 5 days before the injection only with the prescribing"
                " clinician's agreement (anticoagulation clinic asked); restart the evening after."
            ),
            lifestyle="Walking 20 minutes a day as tolerated.",
            notes="Book once the anticoagulation clinic confirms the hold.",
        ),
    ),
    Member(
        "axial-low-back-pain",
        "vignette:axial-low-back-pain",
        "James",
        "Whitfield",
        "planned",
        "Axial low back pain for a year, worse on extension.",
        assessed=6,
        consult=Consult(
            history="Central low back pain for 13 months, worse on standing and extension.",
            previous_treatments="Physical therapy 14 weeks; naproxen 4 months.",
            imaging="No imaging on record.",
            symptoms="Axial back pain NRS 6, no leg pain.",
            exam="Paraspinal tenderness L4-S1; pain on extension-rotation; neurology normal.",
        ),
        plan=Plan(
            "facet-mbb-lumbar",
            physical_therapy="Core stabilisation programme continues.",
            lifestyle="Weight management; avoid prolonged standing.",
            notes=(
                "Diagnostic medial branch block first. The payer's facet criteria are not met"
                " (diagnosis): prior authorisation requested; the patient knows it may be denied."
            ),
        ),
    ),
    Member(
        "knee-oa",
        "vignette:knee-oa",
        "Helen",
        "Park",
        "scheduled",
        "Right knee osteoarthritis, pain limiting walking.",
        assessed=10,
        consult=Consult(
            history="Right knee pain for 13 months, worse on stairs; morning stiffness 20 min.",
            previous_treatments="Physical therapy 11 weeks; ibuprofen 6 months.",
            imaging="Knee X-ray: medial joint-space narrowing and osteophytes.",
            symptoms="Right knee pain NRS 6 on walking.",
            exam="Crepitus, small effusion, medial joint-line tenderness; stable ligaments.",
        ),
        plan=Plan(
            "joint-injection-knee",
            physical_therapy="Quadriceps strengthening continues.",
            lifestyle="Weight loss goal 5 kg; walking aids as needed.",
        ),
        days=9,
        login="helen.park@demo.example",
    ),
    Member(
        "facet-two-blocks",
        "vignette:facet-two-positive-blocks",
        "Robert",
        "Lindqvist",
        "procedure-day",
        "Lumbar facet pain with two positive medial branch blocks; for ablation.",
        assessed=21,
        consult=Consult(
            history="Facet-mediated low back pain for 10 months; two blocks gave 85% and 90%.",
            previous_treatments="Physical therapy 14 weeks; naproxen; two diagnostic blocks.",
            imaging="Lumbar spondylosis L4-S1 (M47.816).",
            symptoms="Axial low back pain NRS 6, worse on extension.",
            exam="Facet loading positive bilaterally at L4-5 and L5-S1; neurology normal.",
        ),
        plan=Plan(
            "facet-rfa-lumbar",
            physical_therapy="Restart core exercises one week after the ablation.",
        ),
        days=0,
        sedation=True,
    ),
    Member(
        "radicular-ready",
        "vignette:radicular-ready",
        "Maria",
        "Santos",
        "follow-up",
        "Lumbar radicular pain for 8 months despite conservative care.",
        assessed=35,
        consult=_RADICULAR,
        plan=Plan(
            "esi-transforaminal-lumbar",
            physical_therapy="Home exercise programme; restart PT if relief fades.",
            lifestyle="Stay active; avoid long car journeys for a week.",
        ),
        days=-21,
        visits=(Visit(7, "improved", 70, 2, 14, True, "Walking further; sleeps through."),),
        login="maria.santos@demo.example",
    ),
    Member(
        "oxycodone-60",
        "vignette:oxycodone-60",
        "Susan",
        "Reyes",
        "decision",
        "Lumbar radicular pain on oxycodone 60 MME per day.",
        assessed=70,
        consult=_RADICULAR,
        plan=Plan(
            "esi-transforaminal-lumbar",
            medication_changes="Slow oxycodone taper agreed with the primary care clinician.",
        ),
        days=-56,
        visits=(
            Visit(42, "partly-improved", 50, 4, 14, True),
            Visit(14, "unchanged", 30, 5, 28, False, "Relief faded after four weeks."),
        ),
        summary="Partial relief (50%) fading to 30% by six weeks; taper ongoing.",
    ),
    Member(
        "rufus-kihn",
        "synthea:Rufus_Kihn",
        "Rufus",
        "Kihn",
        "discharged",
        "Hip osteoarthritis, pain for over a year despite NSAIDs.",
        assessed=100,
        consult=Consult(
            history="Hip pain for over a year, groin and thigh, worse on walking.",
            previous_treatments="NSAIDs for three months with partial relief.",
            imaging="Hip X-ray: joint-space narrowing, osteophytes.",
            symptoms="Groin pain NRS 5 on walking; night pain.",
            exam="Painful, restricted internal rotation; positive FADIR.",
        ),
        plan=Plan("joint-injection-hip", physical_therapy="Hip strengthening for 8 weeks."),
        days=-86,
        visits=(
            Visit(72, "improved", 80, 1, 14, True),
            Visit(2, "improved", 75, 1, 84, True, "Sustained relief at 12 weeks."),
        ),
        summary="Sustained relief (75-80%) at 12 weeks.",
        outcome="Sustained relief; back to primary care.",
        instructions="Continue the exercise programme; re-refer if pain returns.",
    ),
    Member(
        "cauda-equina",
        "vignette:cauda-equina",
        "Patricia",
        "Quinn",
        "cancelled",
        "Radicular pain for an epidural injection.",
        assessed=3,
        consult=Consult(
            history="Radicular pain since last autumn; for 4 days saddle numbness and retention.",
            previous_treatments="Physical therapy 8 weeks; ibuprofen.",
            imaging="MRI in March concordant; no new imaging.",
            symptoms="Bilateral leg pain, saddle anaesthesia, urinary retention.",
            exam="Reduced perianal sensation; weak ankle plantar flexion bilaterally.",
            tests_ordered="Emergency MRI lumbar spine.",
        ),
        outcome=(
            "Red flags of cauda equina syndrome: sent to the emergency department for urgent"
            " MRI and spinal surgery review. No elective procedure."
        ),
    ),
)
"""The demo patients, in the order they are loaded."""
