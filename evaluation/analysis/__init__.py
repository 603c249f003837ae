"""Analysis layer: what the evaluation computes, with no presentation.

``describe`` (KPIs), ``panels`` (analysis frames), ``populations`` (who each comparison is
about), ``compare`` (groups, years, ministries), ``diagnose`` (overlap, balance, pre-trends,
sensitivity), ``impact`` (population rules and designs of the impact evaluation) and
``verdict`` (the rule that words the answer, a pure function of the evidence).
"""
