"""The shared vocabulary: every definition, threshold and label, written once.

The synthetic generator (``data.synth``), the analysis (``analysis``) and the report
(``report``) must mean the same thing by "participant", "completions in 90 days" or "balanced",
and a reader must see the same words for a measure wherever it appears. So each is defined here
and imported everywhere else; restating one in another module is what this module exists to
prevent (``docs/architecture.md``: "a definition, threshold or label").

Labels are presentation, but they live here rather than in ``report``: the generator and the
analysis name the same measures, and one place for the words keeps them from drifting apart.
Nothing here may import from the rest of the package (``core`` is the lowest layer).

Where two label maps name the same column differently (:data:`VARIABLE_LABELS` and
:data:`OUTCOME_LABELS`), both are published words in existing reports; they are kept apart on
purpose and each says where it is used.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "BALANCE_MEASURES",
    "CENSUS_KPI_LABELS",
    "DESIGN_NAMES",
    "DOSE_BANDS",
    "FOLLOW_UP_DAYS",
    "FRONTLINE_DESIGNATION_PATTERN",
    "AI_CONTENT_PATTERN",
    "AI_CONTENT_ACRONYM",
    "GROUPS",
    "KPI_DEFINITIONS",
    "LEVEL_DESIGN_COVARIATES",
    "OUTCOME_DEFINITIONS",
    "OUTCOME_LABELS",
    "PARTICIPATION_LEVEL_NAMES",
    "SMD_THRESHOLD",
    "TARGET_HOURS",
    "TREATMENT_WORDS",
    "VARIABLE_LABELS",
]

# --------------------------------------------------------------------------------------------
# Thresholds and windows
# --------------------------------------------------------------------------------------------

#: |standardised mean difference| above which a covariate counts as imbalanced (Austin 2009;
#: cobalt's default). Balance tables flag with it and the report quotes it to readers.
SMD_THRESHOLD: Final = 0.1

#: The platform's learning target in hours per week (the default of ``params.target_hours``;
#: the generator measures its planted "target met" counts against it).
TARGET_HOURS: Final = 4.0

#: Outcomes are measured over the days window_end + 1 .. window_end + 90 (inclusive), and
#: the "before" measures over the same number of days before the window.
FOLLOW_UP_DAYS: Final = 90

#: Dose bands on learning hours in the week: [0, 4), [4, 8), [8, inf). The generator plants
#: effects by band and the analysis reports by band, so both must cut at the same hours.
DOSE_BANDS: Final = (("0-4h", 0.0, 4.0), ("4-8h", 4.0, 8.0), ("8h+", 8.0, float("inf")))

#: The staff groups a person can be in (``Unknown`` when the platform does not say).
GROUPS: Final = ("A", "B", "C", "Unknown")

#: The 28 states and 8 union territories, as named on the platform.
STATES_AND_UTS: Final[tuple[str, ...]] = (
    "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat",
    "Haryana", "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh",
    "Maharashtra", "Manipur", "Meghalaya", "Mizoram", "Nagaland", "Odisha", "Punjab", "Rajasthan",
    "Sikkim", "Tamil Nadu", "Telangana", "Tripura", "Uttar Pradesh", "Uttarakhand", "West Bengal",
    "Andaman and Nicobar Islands", "Chandigarh", "Dadra and Nagar Haveli and Daman and Diu",
    "Delhi", "Jammu and Kashmir", "Ladakh", "Lakshadweep", "Puducherry",
)  # fmt: skip

#: A frontline worker (teachers, police, field-level functionaries: the people SĀDHANA Saptah
#: 2026 counted apart) by job title: a case-insensitive RE2 pattern on ``designation``. A
#: blank designation is unknown, not "other".
FRONTLINE_DESIGNATION_PATTERN: Final = (
    r"\b(teacher|headmaster|headmistress|lecturer|constable|police|sub-inspector|postman|"
    r"postmaster|dak sevak|anganwadi|asha|anm|nurse|patwari|lekhpal|gram panchayat|"
    r"panchayat secretary|village|field worker|field assistant|track maintainer|lineman|"
    r"medical officer|health worker|forest guard|block development officer)\b"
)

#: An AI-related course: its competency theme or sub-theme, or its title, matches the first
#: (case-insensitive) or second (case-sensitive, so "AI" but not "ai" inside a word) pattern.
AI_CONTENT_PATTERN: Final = r"artificial intelligence|machine learning|generative ai|\bgenai\b"
AI_CONTENT_ACRONYM: Final = r"\bAI\b"

#: An implausibly fast completion: a course of at least this many minutes completed less than
#: :data:`FAST_COMPLETION_SECONDS` after enrolment. A Department of Posts circular (16 June
#: 2025) flags courses longer than 20 minutes "completed" in under 20 seconds; the NLW
#: leaderboard gives every organisation a reason to game completions.
FAST_COMPLETION_MIN_MINUTES: Final = 20
FAST_COMPLETION_SECONDS: Final = 20

# --------------------------------------------------------------------------------------------
# Which measures a comparison uses
# --------------------------------------------------------------------------------------------

#: Measured before the week: what a descriptive balance table (participants against others,
#: or between groups) checks, so a reader sees how the groups differed before the week.
BALANCE_MEASURES: Final = (
    "completions_pre_365d",
    "course_hours_pre_365d",
    "completions_pre_90d",
    "tenure_years",
    "took_part_before",
    "assessment_pre",
)

#: Covariates of the impact evaluation's *level* comparisons (outcomes with no "before"
#: measure, such as ACBP on time): observed characteristics only. Not the same list as
#: :data:`BALANCE_MEASURES`: it adds group and organisation type, which a level design must
#: adjust for, and leaves out the assessment score, which only the assessed sample has.
LEVEL_DESIGN_COVARIATES: Final = (
    "completions_pre_365d",
    "course_hours_pre_365d",
    "completions_pre_90d",
    "tenure_years",
    "took_part_before",
    "group",
    "org_type",
)

# --------------------------------------------------------------------------------------------
# Definitions shown to readers beside the numbers
# --------------------------------------------------------------------------------------------

#: What each headline KPI of an edition counts (``{target_hours:g}`` is filled from params).
#: The order is the order of the report's list of definitions.
KPI_DEFINITIONS: Final = MappingProxyType(
    {
        "participant": (
            "A person with at least one course completion or one event attended (some time "
            "watched) inside the edition's window."
        ),
        "course_completion": "A course whose first completion date falls inside the window.",
        "course_enrolment": "A course enrolment whose enrolment date falls inside the window.",
        "learning_hours": (
            "Nominal duration of the courses a person completed inside the window, plus the "
            "hours of events they watched inside the window (the platform's own rule)."
        ),
        "target_met": (
            "A participant whose learning hours in the window reach the target "
            "({target_hours:g} hours)."
        ),
        "daily_completions": "Course completions per calendar day of the window (IST dates).",
        "central_webinar": (
            "A webinar or Karmayogi Saptah session organised centrally (not by a ministry or "
            "department) that started inside the window."
        ),
        "webinar_attendee": "A person who watched some of the event (watch time above zero).",
        "webinar_completion": "An attendee whose attendance is marked completed by the platform.",
        "samuhik_charcha": (
            "A group discussion (Samuhik Charcha) held inside the window; participants are its "
            "attendees."
        ),
        "webinar_speaker": "A distinct presenter named on a central webinar inside the window.",
        "karma_points": "Karma points credited inside the window, by what earned them.",
    }
)

#: What each impact outcome measures. The report shows these words; the generator writes the
#: same words into ``ground_truth.json`` so the planted truth and the estimates name one thing.
OUTCOME_DEFINITIONS: Final = MappingProxyType(
    {
        "completions_90d": (
            "Course completions in the 90 days after the week, courses the person chose "
            "(courses allocated under ACBP are counted by the ACBP outcome instead)."
        ),
        "learning_hours_90d": (
            "Hours learned in the 90 days after the week: duration of courses completed (ACBP "
            "allocations left out, as above) plus hours watched of events that started in "
            "those days."
        ),
        "acbp_on_time": (
            "Share of a person's ACBP (annual capacity-building plan) courses allocated 60 to 5 "
            "days before the week that were completed by their due date; people with such "
            "allocations."
        ),
        "assessment_score": (
            "External assessment score (0-100) measured 60 to 90 days after the week; people in "
            "the assessed sample."
        ),
    }
)

# --------------------------------------------------------------------------------------------
# Words a reader sees for columns, levels, treatments and designs
# --------------------------------------------------------------------------------------------

#: Words for each analysis column in the descriptive comparisons (groups, years, ministry
#: brief): a full phrase, since these tables list pre-week measures and outcomes together.
VARIABLE_LABELS: Final = MappingProxyType(
    {
        "participated": "Took part in the week (share)",
        "target_met": "Met the learning target (share)",
        "hours_in_week": "Learning hours in the week",
        "completions_pre_365d": "Completions in the year before",
        "course_hours_pre_365d": "Course hours in the year before",
        "completions_pre_90d": "Completions in the 90 days before",
        "tenure_years": "Years since registration",
        "took_part_before": "Took part in the previous edition (share)",
        "assessment_pre": "Assessment score before (0-100)",
        "completions_90d": "Completions in the 90 days after",
        "learning_hours_90d": "Learning hours in the 90 days after",
        "acbp_on_time": "ACBP courses done on time (share)",
        "assessment_score": "Assessment score after (0-100)",
    }
)

#: Words for each outcome in the impact report's tables: shorter than :data:`VARIABLE_LABELS`
#: because every row there is an outcome after the week, joined to a design name.
OUTCOME_LABELS: Final = MappingProxyType(
    {
        "completions_90d": "Course completions, 90 days",
        "learning_hours_90d": "Learning hours, 90 days",
        "acbp_on_time": "ACBP courses on time (share)",
        "assessment_score": "Assessment score (0-100)",
    }
)

#: What "treated" means for each ``params.treatment``, in a phrase after "people who".
TREATMENT_WORDS: Final = MappingProxyType(
    {
        "participated": "took part in the week (at least one completion or event attended)",
        "target_met": "met the learning target in the week",
        "hours": "took part, with the dose measured as hours learned in the week",
    }
)

#: How each design of :func:`evaluation.analysis.impact.outcome_designs` is named.
DESIGN_NAMES: Final = MappingProxyType(
    {
        "naive": "naive difference",
        "aipw_change": "before/after, doubly robust (AIPW)",
        "matching_change": "before/after, propensity-score matching",
        "aipw_levels": "AIPW on levels (observed traits only)",
    }
)

#: How the two levels of ``participated`` are named in a comparison ("A vs B").
PARTICIPATION_LEVEL_NAMES: Final = MappingProxyType({1: "participants", 0: "non-participants"})

#: What earned a karma credit, for readers: the ledger's ``operation_type`` codes (upper case, as
#: ingest stores them). A code not listed is shown as it is, in sentence case.
KARMA_OPERATION_LABELS: Final = MappingProxyType(
    {
        "COURSE_COMPLETION": "Course completed (first 4 a month)",
        "ACBP_COURSE_COMPLETION": "Course of the ACBP completed on time",
        "RATING": "Course rated",
        "EVENT_ATTENDED": "Event attended",
        "FIRST_LOGIN": "First login",
        "FIRST_ENROLMENT": "First enrolment",
    }
)

#: Census totals compared between editions (keys of ``describe.ParticipationKPIs``), with the
#: words of the year-on-year table; the order is the table's row order.
CENSUS_KPI_LABELS: Final = MappingProxyType(
    {
        "participants": "Trackable participants",
        "target_met": "Met the learning target",
        "course_enrolments": "Course enrolments",
        "course_completions": "Course completions",
        "learning_hours": "Learning hours",
        "avg_daily_completions": "Completions per day on average",
        "peak_daily_completions": "Completions on the peak day",
        "group_a_participants": "Group A participants",
    }
)

#: The mark on everything built from generated data: every page of a report (the banner) and an
#: interactive notebook when it opens an edition (``report.edition.open_edition``).
SYNTHETIC_BANNER: Final = "SYNTHETIC DATA — generated for testing the workbench; not real learners"
