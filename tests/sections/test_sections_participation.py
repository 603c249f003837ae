"""Small pieces of the participation report that a policy reader sees as words."""

from __future__ import annotations

from evaluation.report.sections.participation import karma_operation_name


def test_karma_operations_have_readers_names() -> None:
    assert karma_operation_name("COURSE_COMPLETION") == "Course completed (first 4 a month)"
    assert karma_operation_name("ACBP_COURSE_COMPLETION") == "Course of the ACBP completed on time"
    assert karma_operation_name("RATING") == "Course rated"
    assert karma_operation_name("EVENT_ATTENDED") == "Event attended"
    # a code the platform adds later is still readable, never a raw code in capitals
    assert karma_operation_name("PROFILE_COMPLETION") == "Profile completion"
