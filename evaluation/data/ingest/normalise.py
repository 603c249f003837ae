"""Normalisation rules as DuckDB SQL expressions, each paired with the name of the rule it used.

Every rule returns two expressions: the normalised value and a short rule label, so the ingest
can count, per rule, how many rows it mapped (the counts go to the manifest).
"""

from __future__ import annotations

from evaluation.core.vocabulary import (
    AI_CONTENT_ACRONYM,
    AI_CONTENT_PATTERN,
    FRONTLINE_DESIGNATION_PATTERN,
    STATES_AND_UTS,
)

__all__ = [
    "CENTRAL_PROVIDER_PATTERN",
    "STATES_AND_UTS",
    "competency_area_sql",
    "frontline_sql",
    "ai_text_sql",
    "duration_hms_hours_sql",
    "enrolment_status_sql",
    "event_status_sql",
    "group_sql",
    "is_active_sql",
    "org_type_sql",
    "parse_bool_sql",
    "parse_timestamp_sql",
    "progress_label_sql",
    "quote_ident",
]


#: Providers whose events count as organised centrally (the platform operator and the CBC).
CENTRAL_PROVIDER_PATTERN = r"karmayogi bharat|capacity building commission|\bcbc\b|igot"


def quote_ident(name: str) -> str:
    """Quote a column name for DuckDB (raw report headers contain spaces)."""
    return '"' + name.replace('"', '""') + '"'


def _blank(x: str) -> str:
    return f"({x} IS NULL OR trim({x}) = '')"


def parse_timestamp_sql(x: str) -> str:
    """Parse every date and time form the platform's jobs write (``docs/real-exports.md``).

    ``yyyy-MM-dd[ HH:mm:ss[.f]]`` and ISO ``T`` forms; the Spark pattern ``HH:mm:ss a``, whose
    hour is 24-hour *and* carries an AM/PM marker (``2025-10-09 14:05:33 PM``): the marker is
    dropped and the hour read as written (``%H``); the older Scala jobs' ``dd/MM/yyyy[ HH:mm:ss
    a]`` and two-digit-year ``dd/MM/yy`` (``01/09/24`` is 1 September 2024; a two-digit year is
    always 20yy, rule ``two_digit_year_2000s``). Slash dates are read day-first (the platform's
    style), never month-first.
    """
    v = f"regexp_replace(trim({x}), '\\s*[AaPp]\\.?[Mm]\\.?$', '')"
    # Rule two_digit_year_2000s: "dd/MM/yy" gets the century 20 before parsing. DuckDB's %y
    # reads 69-99 as 19xx, but the platform went live in 2021 and Spark's "yy" writes 2099 as
    # "99" (a far due date), so every two-digit year it writes is 20yy.
    v4 = f"regexp_replace({v}, '^(\\d{{1,2}}/\\d{{1,2}}/)(\\d{{2}})(\\s|$)', '\\120\\2\\3')"
    # DuckDB's cast reads "01/09/24" as the year 1 (yy/MM/dd), so it only sees values that start
    # with a four-digit year.
    return (
        f"coalesce(CASE WHEN regexp_matches({v}, '^\\d{{4}}[-/]') "
        f"THEN try_cast({v} AS TIMESTAMP) END, "
        f"try_strptime({v4}, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d-%m-%Y']))"
    )


def parse_bool_sql(x: str) -> str:
    """Map true/false, yes/no, y/n, 1/0 (any case) to BOOLEAN; other text to NULL."""
    v = f"lower(trim({x}))"
    return (
        f"CASE WHEN list_contains(['true', 't', 'yes', 'y', '1'], {v}) THEN TRUE "
        f"WHEN list_contains(['false', 'f', 'no', 'n', '0'], {v}) THEN FALSE END"
    )


def duration_hms_hours_sql(x: str) -> str:
    """``HH:MM:SS`` (hours may exceed 24) to hours as DOUBLE; NULL when not in that form."""
    pattern = r"^\s*(\d+):([0-5]?\d):([0-5]?\d)(\.\d+)?\s*$"
    return (
        f"CASE WHEN regexp_full_match({x}, '{pattern}') THEN "
        f"CAST(regexp_extract({x}, '{pattern}', 1) AS DOUBLE) "
        f"+ CAST(regexp_extract({x}, '{pattern}', 2) AS DOUBLE) / 60 "
        f"+ CAST(regexp_extract({x}, '{pattern}', 3) AS DOUBLE) / 3600 END"
    )


# Group: strip "gazetted" words, brackets and punctuation, then look for a lone A/B/C
# optionally preceded by GROUP / GRP / GR. The Hindi forms (समूह क / ख / ग) map to A / B / C.
_GROUP_CORE = (
    "regexp_replace(regexp_replace(upper(trim({x})), "
    r"'\bNON[\s\-]*GAZETTED\b|\bGAZETTED\b|[()\[\].,:;_\-/]', ' ', 'g'), '\s+', ' ', 'g')"
)
_GROUP_PATTERN = r"^\s*(GROUP|GRP|GR)?\s*([ABC])\s*$"


def group_sql(x: str) -> tuple[str, str]:
    """Civil-service group free text -> ``A``/``B``/``C``/``Unknown`` and the rule used.

    Rules: ``canonical`` (already A, B or C), ``pattern`` ("Group A", "group-b", "Grp. C",
    "Gazetted Group A", ...), ``hindi`` (समूह क/ख/ग), ``blank``, ``not_applicable``
    ("Not Applicable", "NA", "N/A", "Others", "-"), ``unrecognised`` (anything else).
    """
    core = _GROUP_CORE.format(x=x)
    upper = f"upper(trim({x}))"
    hindi = f"regexp_extract(trim({x}), '^समूह\\s*([कखग])', 1)"
    na = "('NOT APPLICABLE', 'NA', 'N/A', 'N A', 'NIL', 'OTHERS', 'OTHER', '-', 'NONE')"
    value = (
        f"CASE WHEN {_blank(x)} THEN 'Unknown' "
        f"WHEN {upper} IN ('A', 'B', 'C') THEN {upper} "
        f"WHEN regexp_full_match({core}, '{_GROUP_PATTERN}') "
        f"THEN regexp_extract({core}, '{_GROUP_PATTERN}', 2) "
        f"WHEN {hindi} <> '' THEN CASE {hindi} WHEN 'क' THEN 'A' WHEN 'ख' THEN 'B' ELSE 'C' END "
        f"ELSE 'Unknown' END"
    )
    rule = (
        f"CASE WHEN {_blank(x)} THEN 'blank' "
        f"WHEN {upper} IN ('A', 'B', 'C') THEN 'canonical' "
        f"WHEN regexp_full_match({core}, '{_GROUP_PATTERN}') THEN 'pattern' "
        f"WHEN {hindi} <> '' THEN 'hindi' "
        f"WHEN {upper} IN {na} THEN 'not_applicable' "
        f"ELSE 'unrecognised' END"
    )
    return value, rule


def _one_of(x: str, values: list[str]) -> str:
    # list_contains, not IN: DuckDB plans a long IN list as a join evaluated on every row, even
    # inside a CASE branch that never runs (measured: docs/scale.md).
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"list_contains([{listed}], {x})"


def _status_key(x: str) -> str:
    return f"regexp_replace(lower(trim({x})), '[\\s_]+', '-', 'g')"


#: Normalised status keys of each canonical course status (Sunbird codes first).
_ENROLMENT_KEYS = {
    "not-started": ["0", "not-started", "notstarted", "yet-to-start"],
    "in-progress": ["1", "in-progress", "inprogress", "started", "ongoing"],
    "completed": ["2", "completed", "complete", "done"],
    "not-enrolled": ["not-enrolled", "notenrolled"],
}
#: Normalised status keys of each canonical event attendance status.
_EVENT_KEYS = {
    "enrolled": ["0", "enrolled", "registered", "not-started"],
    "in-progress": ["1", "in-progress", "inprogress", "started"],
    "completed": ["2", "completed", "complete", "attended"],
}
_CODES = ["0", "1", "2"]


def _mapped(k: str, keys: dict[str, list[str]]) -> str:
    return " ".join(f"WHEN {_one_of(k, values)} THEN '{label}'" for label, values in keys.items())


def enrolment_status_sql(status: str, progress: str) -> tuple[str, str]:
    """Course status (platform codes 0/1/2 or text) -> canonical status and the rule used.

    Codes follow Sunbird: 0 not started, 1 in progress, 2 completed. A blank status is derived
    from progress (100 completed, above 0 in progress, else not started).
    """
    k = _status_key(status)
    value = (
        f"CASE {_mapped(k, _ENROLMENT_KEYS)} "
        f"WHEN {_blank(status)} AND {progress} >= 100 THEN 'completed' "
        f"WHEN {_blank(status)} AND {progress} > 0 THEN 'in-progress' "
        f"WHEN {_blank(status)} THEN 'not-started' END"
    )
    text = _one_of(k, list(_ENROLMENT_KEYS))
    rule = (
        f"CASE WHEN {_one_of(k, _CODES)} THEN 'code' WHEN {text} THEN 'text' "
        f"WHEN {_blank(status)} THEN 'derived_from_progress' "
        f"WHEN {value} IS NOT NULL THEN 'synonym' ELSE 'unrecognised' END"
    )
    return value, rule


def event_status_sql(status: str) -> tuple[str, str]:
    """Event attendance status (codes 0/1/2 or text) -> enrolled / in-progress / completed."""
    k = _status_key(status)
    value = f"CASE {_mapped(k, _EVENT_KEYS)} END"
    rule = (
        f"CASE WHEN {_one_of(k, _CODES)} THEN 'code' "
        f"WHEN {value} IS NOT NULL THEN 'text' ELSE 'unrecognised' END"
    )
    return value, rule


#: Account status (warehouse ``user_detail.status``): Sunbird codes 1 active / 0 inactive, or text.
_ACTIVE = {
    "code": (["1"], ["0"]),
    "text": (
        ["active", "true", "yes"],
        ["inactive", "false", "no", "deleted", "blocked", "disabled", "suspended"],
    ),
}


def is_active_sql(x: str) -> tuple[str, str]:
    """Account status -> TRUE (active) / FALSE (inactive) / NULL (blank or unknown), and the rule.

    Rules: ``code`` (Sunbird's 1 active, 0 inactive), ``text`` ("Active", "Inactive",
    "Deleted", "Blocked", ...), ``blank`` and ``unrecognised`` (both NULL: not known).
    """
    k = f"lower(trim({x}))"
    whens = " ".join(
        f"WHEN {_one_of(k, yes)} THEN TRUE WHEN {_one_of(k, no)} THEN FALSE"
        for yes, no in _ACTIVE.values()
    )
    value = f"CASE {whens} END"
    rule = (
        f"CASE WHEN {_blank(x)} THEN 'blank' "
        + " ".join(
            f"WHEN {_one_of(k, yes + no)} THEN '{name}'" for name, (yes, no) in _ACTIVE.items()
        )
        + " ELSE 'unrecognised' END"
    )
    return value, rule


def progress_label_sql(x: str) -> tuple[str, str]:
    """ACBP progress text -> Completed / In Progress / Not Started / Not Enrolled."""
    k = _status_key(x)
    value = (
        f"CASE WHEN {k} IN ('completed', 'complete', '2') THEN 'Completed' "
        f"WHEN {k} IN ('in-progress', 'inprogress', '1') THEN 'In Progress' "
        f"WHEN {k} IN ('not-started', 'notstarted', '0') THEN 'Not Started' "
        f"WHEN {k} IN ('not-enrolled', 'notenrolled') OR {_blank(x)} THEN 'Not Enrolled' "
        f"ELSE 'Not Enrolled' END"
    )
    rule = (
        f"CASE WHEN trim({x}) IN ('Completed', 'In Progress', 'Not Started', 'Not Enrolled') "
        f"THEN 'canonical' WHEN {_blank(x)} THEN 'blank_as_not_enrolled' "
        f"WHEN {k} IN ('completed', 'complete', '2', 'in-progress', 'inprogress', '1', "
        f"'not-started', 'notstarted', '0', 'not-enrolled', 'notenrolled') THEN 'synonym' "
        f"ELSE 'unrecognised_as_not_enrolled' END"
    )
    return value, rule


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def frontline_sql(designation: str) -> tuple[str, str]:
    """Frontline worker from a designation (null when blank), and the rule used.

    Rules: ``blank`` (no designation: unknown), ``frontline_title`` (matches
    :data:`~evaluation.core.vocabulary.FRONTLINE_DESIGNATION_PATTERN`), ``other_title``.
    """
    match = f"regexp_matches({designation}, {_sql_string(FRONTLINE_DESIGNATION_PATTERN)}, 'i')"
    value = f"CASE WHEN {_blank(designation)} THEN NULL ELSE {match} END"
    rule = (
        f"CASE WHEN {_blank(designation)} THEN 'blank' WHEN {match} THEN 'frontline_title' "
        "ELSE 'other_title' END"
    )
    return value, rule


def ai_text_sql(x: str) -> str:
    """TRUE when text ``x`` names AI (:data:`~evaluation.core.vocabulary.AI_CONTENT_PATTERN`)."""
    return (
        f"coalesce(regexp_matches({x}, {_sql_string(AI_CONTENT_PATTERN)}, 'i') "
        f"OR regexp_matches({x}, {_sql_string(AI_CONTENT_ACRONYM)}), FALSE)"
    )


def competency_area_sql(x: str) -> str:
    """Competency area text -> behavioural / functional / domain / unknown."""
    k = f"lower(trim({x}))"
    return (
        f"CASE WHEN {k} IN ('behavioural', 'behavioral') THEN 'behavioural' "
        f"WHEN {k} = 'functional' THEN 'functional' WHEN {k} = 'domain' THEN 'domain' "
        f"ELSE 'unknown' END"
    )


def _state_match(x: str) -> str:
    """SQL giving the state named by ``x`` (exactly, or as "Government of <state>"), else ''."""
    stripped = (
        f"regexp_replace(lower(trim({x})), "
        r"'^(the\s+)?(government|govt\.?)\s+of\s+(the\s+)?|^state\s+of\s+|\s+government$', '')"
    )
    cases = " ".join(f"WHEN {stripped} = '{s.lower()}' THEN '{s}'" for s in STATES_AND_UTS)
    return f"(CASE {cases} ELSE '' END)"


def org_type_sql(explicit_type: str, ministry: str, mdo_name: str) -> tuple[str, str, str]:
    """Central vs state organisation, the state's name, and the rule used.

    Rules, in order: ``type_column`` (an explicit org-type value containing "state" or
    "central"/"union"/"ministry"); ``ministry_is_state`` (the top of the hierarchy is a state or
    UT, as the platform files state organisations: "Maharashtra", "Government of Kerala");
    ``name_is_state_government`` (the MDO name is "Government of <state>"); otherwise
    ``default_central``.
    """
    t = f"lower(coalesce({explicit_type}, ''))"
    state_from_ministry = _state_match(ministry)
    state_from_name = _state_match(mdo_name)
    org_type = (
        f"CASE WHEN {t} LIKE '%state%' THEN 'state' "
        f"WHEN {t} LIKE '%central%' OR {t} LIKE '%union%' OR {t} LIKE '%ministry%' THEN 'central' "
        f"WHEN {state_from_ministry} <> '' OR {state_from_name} <> '' THEN 'state' "
        f"ELSE 'central' END"
    )
    state = (
        f"CASE WHEN ({org_type}) = 'state' THEN coalesce(nullif({state_from_ministry}, ''), "
        f"nullif({state_from_name}, ''), nullif(trim(coalesce({ministry}, '')), ''), '') "
        f"ELSE '' END"
    )
    rule = (
        f"CASE WHEN {t} LIKE '%state%' OR {t} LIKE '%central%' OR {t} LIKE '%union%' "
        f"OR {t} LIKE '%ministry%' THEN 'type_column' "
        f"WHEN {state_from_ministry} <> '' THEN 'ministry_is_state' "
        f"WHEN {state_from_name} <> '' THEN 'name_is_state_government' "
        f"ELSE 'default_central' END"
    )
    return org_type, state, rule
