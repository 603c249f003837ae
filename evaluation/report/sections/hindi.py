"""Hindi executive summaries: the lead of every report type in Hindi, beside the English one.

Bilingual documents are the norm in the Government of India (Official Languages Act, section
3(3)); each report leads with its answer in English and then in Hindi. The Hindi sentences are
templates over the same numbers as the English lead, never a machine translation of it. Words
without a settled Hindi form (ACBP, AIPW) stay in Latin letters, as official Hindi texts keep them.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

from evaluation.report.formatting import format_count_hi
from evaluation.report.sections.common import pct

__all__ = [
    "CHANGE_WORDS_HI",
    "OUTCOME_LABELS_HI",
    "edition_effects_hi",
    "level_name_hi",
    "rates_hi",
    "unit_effect_hi",
    "verdict_hi",
    "years_lead_hi",
]

#: Each outcome after the week, in Hindi (the English words: ``core.vocabulary.OUTCOME_LABELS``).
OUTCOME_LABELS_HI = {
    "completions_90d": "90 दिनों में पूरे किए गए पाठ्यक्रम",
    "learning_hours_90d": "90 दिनों में सीखने के घंटे",
    "acbp_on_time": "समय पर पूरे किए गए ACBP पाठ्यक्रम (अनुपात)",
    "assessment_score": "मूल्यांकन अंक (0-100)",
}

#: How an effect moved between editions (the English words: ``analysis.editions.CHANGE_WORDS``).
CHANGE_WORDS_HI = {
    "grew": "बढ़ा",
    "shrank": "घटा",
    "same": "दोनों संस्करणों में अलग-अलग नहीं बताया जा सकता",
}

_LEVELS_HI = {
    "frontline worker": "अग्रिम पंक्ति के कर्मचारी",
    "other staff": "अन्य कर्मचारी",
    "central": "केंद्र सरकार",
    "state": "राज्य सरकार",
    "Unknown": "अज्ञात",
}


def level_name_hi(by: str, level: Hashable) -> str:
    """A comparison level in Hindi: ``समूह A`` for groups, known words, else the level itself."""
    if by == "group" and level != "Unknown":
        return f"समूह {level}"
    return _LEVELS_HI.get(str(level), str(level).replace("_", " "))


def rates_hi(rates: pd.DataFrame, by: str) -> str:
    """Participation rates by level, highest first: the 02_groups lead in Hindi."""
    ordered = rates.sort_values("rate", ascending=False)
    parts = [f"{level_name_hi(by, row[by])} में {pct(row['rate'])}" for _, row in ordered.iterrows()]
    top, bottom = ordered.iloc[0], ordered.iloc[-1]
    return (
        f"पात्र उपयोगकर्ताओं में भागीदारी दर: {', '.join(parts)}। सबसे अधिक भागीदारी "
        f"{level_name_hi(by, top[by])} में रही (95 % विश्वास अंतराल {pct(top['conf_low'])} से "
        f"{pct(top['conf_high'])}), सबसे कम {level_name_hi(by, bottom[by])} में।"
    )


def years_lead_hi(
    edition: str,
    previous: str,
    participants: int,
    previous_participants: int,
    return_rate: float,
    first_time_share: float,
) -> str:
    """The 04_years lead in Hindi: participants in both editions, returners and newcomers."""
    change = participants - previous_participants
    more = "अधिक" if change >= 0 else "कम"
    return (
        f"{edition} में {format_count_hi(participants)} लोगों ने भाग लिया, जो {previous} के "
        f"{format_count_hi(previous_participants)} से {format_count_hi(abs(change))} {more} है "
        f"({change / previous_participants:+.0%}; परिभाषाएँ दोनों वर्षों में समान)। "
        f"{previous} के {pct(return_rate)} प्रतिभागी फिर लौटे, और {edition} के "
        f"{pct(first_time_share)} प्रतिभागी नए थे।"
    )


def edition_effects_hi(
    outcome: str,
    earlier: tuple[str, float, float, float],
    later: tuple[str, float, float, float],
    difference: tuple[float, float, float],
    change: str,
) -> str:
    """The effect in each edition and how it moved, in Hindi (04_years).

    ``earlier`` and ``later`` are (edition, estimate, low, high); ``difference`` is (estimate,
    low, high) of later minus earlier; ``change`` a key of :data:`CHANGE_WORDS_HI`.
    """
    name = OUTCOME_LABELS_HI.get(outcome, outcome.replace("_", " "))
    (e1, b1, l1, h1), (e2, b2, l2, h2), (d, dl, dh) = earlier, later, difference
    return (
        f"भाग लेने से प्रति व्यक्ति «{name}» में {e1} में {b1:+.2f} (95 % अंतराल {l1:.2f} से "
        f"{h1:.2f}) और {e2} में {b2:+.2f} ({l2:.2f} से {h2:.2f}) का परिवर्तन हुआ: प्रभाव "
        f"{CHANGE_WORDS_HI[change]} (अंतर {d:+.2f}, 95 % अंतराल {dl:.2f} से {dh:.2f})।"
    )


#: The verdict's strength (``analysis.verdict.decide``) in Hindi: the phrase before the outcome
#: and the verb after it.
_STRENGTH_HI = {
    "The evidence is strong that taking part raised": ("प्रमाण मज़बूत हैं कि भाग लेने से", "बढ़े"),
    "Taking part probably raised": ("भाग लेने से संभवतः", "बढ़े"),
    "Taking part appears to have lowered": ("भाग लेने से", "घटे प्रतीत होते हैं"),
    "We cannot tell whether taking part changed": (
        "हम यह नहीं कह सकते कि भाग लेने से",
        "बदले या नहीं",
    ),
}


def verdict_hi(strength: str, effect: float, low: float, high: float, caveated: bool) -> str:
    """The impact verdict in Hindi (03_impact), from the same numbers as the English one.

    ``caveated``: the English verdict names reasons to be less sure; the Hindi one says so and
    points to them rather than translating free text.
    """
    before, verb = _STRENGTH_HI[strength]
    text = (
        f"{before} अगले 90 दिनों में पूरे किए गए पाठ्यक्रम {verb}: प्रति व्यक्ति लगभग "
        f"{effect:+.2f} (95 % अंतराल {low:.2f} से {high:.2f})।"
    )
    if caveated:
        text += " निश्चितता अधिक से अधिक मध्यम है; कारण ऊपर अंग्रेज़ी सारांश में दिए गए हैं।"
    return text


def unit_effect_hi(
    unit: str,
    strength: str,
    effect: tuple[float, float, float],
    overall: tuple[float, float, float],
) -> str:
    """A ministry's own pooled effect in Hindi (05_ministry_brief), with the national one.

    ``effect`` and ``overall`` are (estimate, low, high) per person on completions in 90 days.
    """
    before, verb = _STRENGTH_HI[strength]
    (b, lo, hi), (ob, olo, ohi) = effect, overall
    return (
        f"{unit} के कर्मचारियों के लिए: {before} अगले 90 दिनों में पूरे किए गए पाठ्यक्रम "
        f"{verb}: प्रति व्यक्ति लगभग {b:+.2f} (95 % अंतराल {lo:.2f} से {hi:.2f}); सभी मंत्रालयों "
        f"और राज्यों में {ob:+.2f} ({olo:.2f} से {ohi:.2f})।"
    )
