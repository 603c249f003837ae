"""The Hindi executive summaries: the same numbers as the English leads, in Hindi sentences."""

from __future__ import annotations

import pandas as pd

from evaluation.core.vocabulary import OUTCOME_LABELS
from evaluation.report.sections import hindi


def test_every_outcome_and_change_has_hindi_words() -> None:
    from evaluation.analysis.editions import CHANGE_WORDS

    assert set(hindi.OUTCOME_LABELS_HI) == set(OUTCOME_LABELS)
    assert set(hindi.CHANGE_WORDS_HI) == set(CHANGE_WORDS)


def test_group_rates_in_hindi() -> None:
    rates = pd.DataFrame(
        {
            "group": ["A", "B", "C"],
            "rate": [0.12, 0.31, 0.08],
            "conf_low": [0.10, 0.29, 0.07],
            "conf_high": [0.14, 0.33, 0.09],
        }
    )
    assert hindi.rates_hi(rates, "group") == (
        "पात्र उपयोगकर्ताओं में भागीदारी दर: समूह B में 31%, समूह A में 12%, समूह C में 8.0%। "
        "सबसे अधिक भागीदारी समूह B में रही (95 % विश्वास अंतराल 29% से 33%), सबसे कम समूह C में।"
    )
    # other dimensions use their own Hindi words, an unknown level its own name
    frontline = rates.rename(columns={"group": "frontline"}).assign(
        frontline=["frontline worker", "other staff", "Unknown"]
    )
    assert hindi.rates_hi(frontline, "frontline").startswith(
        "पात्र उपयोगकर्ताओं में भागीदारी दर: अन्य कर्मचारी में 31%, अग्रिम पंक्ति के कर्मचारी में 12%, "
        "अज्ञात में 8.0%।"
    )


def test_years_lead_in_hindi() -> None:
    text = hindi.years_lead_hi("2026", "2024", 4_690_000, 740_000, 0.62, 0.81)
    assert text == (
        "2026 में 46.9 लाख लोगों ने भाग लिया, जो 2024 के 7.4 लाख से 39.5 लाख अधिक है "
        "(+534%; परिभाषाएँ दोनों वर्षों में समान)। 2024 के 62% प्रतिभागी फिर लौटे, और 2026 के "
        "81% प्रतिभागी नए थे।"
    )


def test_edition_effects_in_hindi() -> None:
    text = hindi.edition_effects_hi(
        "completions_90d",
        ("2024", 0.9, 0.8, 1.0),
        ("2026", 0.5, 0.45, 0.55),
        (-0.4, -0.52, -0.28),
        "shrank",
    )
    assert text == (
        "भाग लेने से प्रति व्यक्ति «90 दिनों में पूरे किए गए पाठ्यक्रम» में 2024 में +0.90 "
        "(95 % अंतराल 0.80 से 1.00) और 2026 में +0.50 (0.45 से 0.55) का परिवर्तन हुआ: प्रभाव घटा "
        "(अंतर -0.40, 95 % अंतराल -0.52 से -0.28)।"
    )


def test_every_verdict_strength_has_hindi_words() -> None:
    from evaluation.analysis.verdict import Evidence, Interval, decide

    strong = decide(Evidence(did=Interval(0.8, 0.7, 0.9), aipw=Interval(0.85, 0.6, 1.1)))
    unsure = decide(Evidence(did=Interval(0.1, -0.2, 0.4)))
    lowered = decide(Evidence(did=Interval(-0.5, -0.7, -0.3)))
    texts = [
        hindi.verdict_hi(v.strength, v.effect, v.low, v.high, bool(v.caveats))
        for v in (strong, unsure, lowered)
        if v is not None
    ]
    assert texts[0] == (
        "प्रमाण मज़बूत हैं कि भाग लेने से अगले 90 दिनों में पूरे किए गए पाठ्यक्रम बढ़े: प्रति "
        "व्यक्ति लगभग +0.80 (95 % अंतराल 0.70 से 0.90)।"
    )
    assert "बदले या नहीं" in texts[1] and "घटे प्रतीत होते हैं" in texts[2]


def test_a_ministrys_own_effect_in_hindi() -> None:
    text = hindi.unit_effect_hi(
        "Ministry of Railways",
        "Taking part probably raised",
        (0.31, 0.12, 0.5),
        (0.57, 0.51, 0.63),
    )
    assert text == (
        "Ministry of Railways के कर्मचारियों के लिए: भाग लेने से संभवतः अगले 90 दिनों में पूरे किए "
        "गए पाठ्यक्रम बढ़े: प्रति व्यक्ति लगभग +0.31 (95 % अंतराल 0.12 से 0.50); सभी मंत्रालयों और "
        "राज्यों में +0.57 (0.51 से 0.63)।"
    )
