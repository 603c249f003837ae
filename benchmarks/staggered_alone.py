"""03_impact's staggered DiD alone on an ingested store (issue 18, national scale).

``python -m benchmarks.staggered_alone PARAMS STORE`` runs
:func:`evaluation.analysis.impact.staggered_effects` with the edition's params on the store
folder ``STORE`` (``<processed>/<dataset>``) and prints its time, the population and the
monthly effects. Wrap it in ``python -m benchmarks.measure --`` for memory: at scale 1 it
checks that the cohort moments fit DuckDB's limit
(``benchmarks/results/2026-12-03-scale-1-2026.md``).
"""

import sys
import time

from evaluation.analysis import impact
from evaluation.core.params import load_params
from evaluation.data.backend import connect


def main() -> None:
    """Fit and print."""
    params = load_params(sys.argv[1])
    store = connect(sys.argv[2])
    start = time.perf_counter()
    result = impact.staggered_effects(store, params)
    print("seconds", round(time.perf_counter() - start, 1))
    if result is None:
        print("nothing to compare (one edition, or nobody joined)")
        return
    print("people", result.people, "editions", result.editions)
    print(result.result.tidy().query("term == 'ATT'").to_string())
    print(result.by_month.to_string())


if __name__ == "__main__":
    main()
