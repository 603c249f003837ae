"""Report sections of the impact notebook (03_impact): did taking part change behaviour.

Designs, in the order a reader meets them: the naive comparison (what counting suggests), a
difference-in-differences on each person's own learning before and after the week (removes
everything fixed about a person, including the habit that made them join), and selection on
observables (doubly robust AIPW and propensity-score matching on pre-week learning, tenure,
group and organisation type). Diagnostics (pre-trends, overlap, balance, E-value) decide how
strongly the verdict is worded.

Standard errors: DiD and event study cluster by person (CRV1, fixest convention: the person
fixed effects are nested in the clusters and not counted); AIPW uses its influence function;
matching uses Abadie-Imbens; the naive difference uses HC1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import diagnose, estimate, figures
from evaluation.formatting import format_count
from evaluation.panel import OUTCOME_DEFINITIONS, person_edition, person_period
from evaluation.params import load_params, project_root

__all__ = [
    "COVARIATES",
    "ImpactEvidence",
    "adjusted_estimates",
    "did_and_event_study",
    "dose",
    "heterogeneity",
    "impact_people",
    "overlap_and_balance",
    "question",
    "verdict",
]

COVARIATES = [
    "completions_pre_365d",
    "course_hours_pre_365d",
    "completions_pre_90d",
    "tenure_years",
    "took_part_before",
    "group",
    "org_type",
]
PRIMARY = "completions_90d"
TREATMENT_WORDS = {
    "participated": "took part in the week (at least one completion or event attended)",
    "target_met": "met the learning target in the week",
    "hours": "took part, with the dose measured as hours learned in the week",
}


@dataclass
class ImpactEvidence:
    """What the verdict rests on, filled in section by section."""

    naive: float | None = None
    did: estimate.EstimateResult | None = None
    aipw: estimate.EstimateResult | None = None
    matching: estimate.EstimateResult | None = None
    pretrend_passed: bool | None = None
    pretrend_p: float | None = None
    overlap_removed_share: float | None = None
    max_abs_smd_after: float | None = None


def impact_people(ed) -> pd.DataFrame:
    """The person x edition frame with the treatment column ``treat`` set from params."""
    p = ed.params
    earlier = []
    if p.previous_edition:
        earlier.append(load_params(project_root() / "params" / f"{p.previous_edition}.yaml").window)
    people = person_edition(
        ed.store, p.window, target_hours=p.target_hours, earlier_windows=earlier
    )
    if p.treatment == "target_met":
        # people who met the target against people who did not take part at all
        people = people[(people["target_met"] == 1) | (people["participated"] == 0)].copy()
        people["treat"] = people["target_met"]
    else:
        people["treat"] = people["participated"]
    return people.reset_index(drop=True)


def question(ed, people: pd.DataFrame) -> None:
    """State the question, the treatment definition and who is compared."""
    p, style = ed.params, ed.params.number_style
    treated = int(people["treat"].sum())
    ed.say(
        f"**The question.** Did people who {TREATMENT_WORDS[p.treatment]} learn more in the "
        f"90 days after {p.title} than they would have without it? We compare "
        f"{format_count(treated, style=style)} such people with "
        f"{format_count(len(people) - treated, style=style)} eligible colleagues (registered "
        "before the week) who did not take part. People chose to take part, so the two groups "
        "differed before the week; the designs below remove that difference in different ways."
    )
    ed.findings.count(
        "impact_treated",
        treated,
        label="people in the treated group",
        definition=TREATMENT_WORDS[p.treatment],
        unit="persons",
    )


def _row(outcome: str, design: str, result: estimate.EstimateResult, term: str) -> dict:
    tidy = result.tidy().set_index("term").loc[term]
    return {
        "outcome": outcome, "design": design, "estimate": tidy["estimate"],
        "std_error": tidy["std_error"], "conf_low": tidy["conf_low"],
        "conf_high": tidy["conf_high"], "p_value": tidy["p_value"], "n": result.nobs,
    }  # fmt: skip


def _covariates_for(outcome: str, people: pd.DataFrame) -> list[str]:
    chosen = [c for c in COVARIATES if c in people and people[c].nunique() > 1]
    if outcome == "assessment_score" and people["assessment_pre"].notna().any():
        chosen.append("assessment_pre")
    return chosen


def adjusted_estimates(ed, people: pd.DataFrame, evidence: ImpactEvidence) -> pd.DataFrame:
    """Naive vs adjusted (AIPW, matching) effects on every outcome in params, side by side."""
    rows = []
    for outcome in ed.params.outcomes:
        data = people[people[outcome].notna()]
        if data["treat"].nunique() < 2 or len(data) < 50:
            continue
        covariates = _covariates_for(outcome, data)
        naive = estimate.ols(data, f"{outcome} ~ treat", vcov="HC1")
        rows.append(_row(outcome, "naive difference", naive, "treat"))
        aipw = estimate.aipw(
            data, outcome=outcome, treatment="treat", covariates=covariates, estimand="ATT"
        )
        rows.append(_row(outcome, "doubly robust (AIPW)", aipw, "ATT"))
        if outcome == PRIMARY:
            evidence.naive = float(naive.coef()["treat"])
            evidence.aipw = aipw
            matched = estimate.match(
                data, outcome=outcome, treatment="treat", covariates=covariates
            )
            evidence.matching = matched
            rows.append(_row(outcome, "propensity-score matching", matched, "ATT"))
    table = pd.DataFrame(rows)
    ed.show_table(
        "impact_estimates",
        table,
        caption=(
            "Effect of taking part on each outcome (treated minus comparison, per person; 95 % "
            "intervals). The naive difference ignores that participants were keener learners "
            "before the week; the adjusted designs compare like with like."
        ),
        formats={
            "estimate": "decimal",
            "std_error": "decimal",
            "conf_low": "decimal",
            "conf_high": "decimal",
            "p_value": "decimal",
            "n": "count",
        },
        rename={
            "outcome": "Outcome",
            "design": "Design",
            "estimate": "Effect",
            "std_error": "Std. error",
            "conf_low": "95 % low",
            "conf_high": "95 % high",
            "p_value": "p",
            "n": "People",
        },
    )
    if not table.empty:
        shown = table.assign(term=table["outcome"] + ": " + table["design"])
        ed.show_figure(figures.forest_plot(shown, term="term", name="impact_estimates"))
    defs = "\n".join(
        f"- **{k}**: {v}" for k, v in OUTCOME_DEFINITIONS.items() if k in ed.params.outcomes
    )
    ed.say("Outcomes:\n\n" + defs)
    return table


def did_and_event_study(ed, people: pd.DataFrame, evidence: ImpactEvidence) -> None:
    """DiD on each person's completions in the 90 days before vs after; event study by month."""
    p = ed.params
    periods = person_period(
        ed.store, p.window, people.assign(participated=people["treat"]),
        pre=p.pre_months, post=p.post_months,
    )  # fmt: skip
    two = periods[periods["period"].between(-3, 2)].assign(
        phase=lambda d: (d["period"] >= 0).astype("int64")
    )
    two = two.groupby(["user_key", "phase"], as_index=False).agg(
        completions=("completions", "sum"), participated=("participated", "first")
    )
    two["treated"] = two["participated"] * two["phase"]
    did = estimate.did(
        two,
        outcome="completions",
        treatment="treated",
        unit="user_key",
        time="phase",
        cluster="user_key",
    )
    evidence.did = did
    monthly = periods.assign(
        time=periods["period"] + p.pre_months + 1,
        cohort=np.where(periods["participated"] == 1, p.pre_months + 1, 0),
    )
    study = estimate.event_study(
        monthly,
        outcome="completions",
        unit="user_key",
        time="time",
        cohort="cohort",
        reference=-1,
        cluster="user_key",
    )
    report = diagnose.pretrends(study)
    evidence.pretrend_passed = report.passed
    evidence.pretrend_p = report.test.p_value if report.test is not None else None
    coefs = study.tidy()
    coefs["term"] = [f"month {int(k):+d}" for k in coefs["relative_period"]]
    ed.show_figure(figures.forest_plot(coefs, term="term", name="event_study"))
    test = report.test
    ed.say(
        f"Difference in differences: completions in the 90 days after the week rose by "
        f"**{did.coef().iloc[0]:.2f}** per person more for participants than for others "
        f"(95 % interval {did.confint().iloc[0, 0]:.2f} to {did.confint().iloc[0, 1]:.2f}). "
        "This holds only if both groups would have moved in parallel without the week. "
        + (
            f"Before the week the two groups' monthly completions "
            f"{'did move in parallel' if report.passed else 'did NOT move in parallel'} "
            f"(joint test of the {test.df_num} pre-week months, p = {test.p_value:.3f})."
            if test is not None
            else ""
        )
    )
    ed.show_table(
        "event_study",
        coefs[["term", "estimate", "conf_low", "conf_high"]],
        caption=(
            "Event study: difference between participants and others in course completions per "
            "30-day period, relative to the period just before the week (month -1 = 0)."
        ),
        formats={"estimate": "decimal", "conf_low": "decimal", "conf_high": "decimal"},
    )


def overlap_and_balance(ed, people: pd.DataFrame, evidence: ImpactEvidence) -> None:
    """Propensity overlap (and what trimming would remove) and balance before/after weighting."""
    covariates = _covariates_for(PRIMARY, people)
    report = diagnose.overlap(people, treatment="treat", covariates=covariates)
    removed = report.removed
    share = float(removed["share"].max()) if "share" in removed else float("nan")
    evidence.overlap_removed_share = share
    balance = diagnose.balance(
        people, treatment="treat", covariates=covariates, result=evidence.aipw
    )
    smd_after = [c for c in balance.columns if "after" in c and "smd" in c.lower()]
    if smd_after:
        evidence.max_abs_smd_after = float(balance[smd_after[0]].abs().max())
    ed.show_table(
        "balance",
        balance,
        caption=(
            "Covariate balance: standardised differences between participants and others "
            "before and after weighting (|difference| below 0.1 is conventionally balanced)."
        ),
        formats={c: "decimal" for c in balance.columns if balance[c].dtype.kind == "f"},
    )
    ed.say(
        f"Overlap: trimming propensity scores outside {report.trim[0]:g}-{report.trim[1]:g} would "
        f"remove at most {share:.1%} of either group."
    )


def dose(ed, people: pd.DataFrame) -> None:
    """Dose response: outcome by hours learned in the week, adjusted for pre-week covariates."""
    covariates = _covariates_for(PRIMARY, people)
    result = estimate.dose_response(
        people, outcome=PRIMARY, dose="hours_in_week", covariates=covariates, bins=[0, 4, 8]
    )
    ed.show_table(
        "dose_response",
        result.tidy()[["term", "estimate", "conf_low", "conf_high"]],
        caption=(
            "Completions in the 90 days after the week by hours learned in the week, compared "
            "with people who learned nothing in it (adjusted for pre-week learning)."
        ),
        formats={"estimate": "decimal", "conf_low": "decimal", "conf_high": "decimal"},
    )


def heterogeneity(ed, people: pd.DataFrame) -> None:
    """Effects by group (A/B/C) with a test of equality, as a forest plot."""
    covariates = [c for c in _covariates_for(PRIMARY, people) if c != "group"]

    def aipw(frame: pd.DataFrame) -> estimate.EstimateResult:
        return estimate.aipw(
            frame, outcome=PRIMARY, treatment="treat", covariates=covariates, estimand="ATT"
        )

    subset = people[people["group"].isin(ed.params.groups)]
    effects = diagnose.effects_by_group(aipw, subset, group="group")
    table = effects.table
    ed.show_figure(
        figures.forest_plot(
            table.assign(term=table.iloc[:, 0].astype(str)), term="term", name="effects_by_group"
        )
    )
    ed.say(
        f"Test that the effect is the same in every group: p = {effects.equality.p_value:.3f} "
        f"(I² = {effects.i_squared:.0%})."
    )


def verdict(ed, evidence: ImpactEvidence) -> str:
    """A plain-English verdict whose strength follows the diagnostics."""
    did = evidence.did
    if did is None:
        return ""
    low, high = (float(v) for v in did.confint().iloc[0])
    effect = float(did.coef().iloc[0])
    agree = evidence.aipw is not None and (
        float(evidence.aipw.confint().iloc[0, 0]) <= high
        and float(evidence.aipw.confint().iloc[0, 1]) >= low
    )
    caveats = []
    if evidence.pretrend_passed is False:
        caveats.append("participants' learning was already rising faster before the week")
    if not agree:
        caveats.append("the designs disagree about the size")
    if evidence.overlap_removed_share is not None and evidence.overlap_removed_share > 0.1:
        caveats.append("some participants have no comparable non-participants")
    if low > 0 and not caveats:
        strength = "The evidence is strong that taking part raised"
    elif low > 0:
        strength = "Taking part probably raised"
    elif high < 0:
        strength = "Taking part appears to have lowered"
    else:
        strength = "We cannot tell whether taking part changed"
    naive = (
        f" (a naive comparison would say {evidence.naive:.2f})"
        if evidence.naive is not None
        else ""
    )
    text = (
        f"{strength} course completions in the following 90 days, by about {effect:.2f} per "
        f"person (95 % interval {low:.2f} to {high:.2f}){naive}."
    )
    if caveats:
        text += " How sure: moderate at best, because " + "; ".join(caveats) + "."
    ed.verdict("impact_verdict", text)
    ed.findings.number(
        "impact_did",
        effect,
        label="effect on completions in 90 days (DiD)",
        definition=OUTCOME_DEFINITIONS[PRIMARY],
        decimals=2,
    )
    return text
