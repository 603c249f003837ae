"""The staggered DiD from moments on a population k times larger than a benchmark world's.

``python -m benchmarks.moments_replicated DIR K``: DIR holds ``values.parquet`` and
``people.parquet`` written from :func:`benchmarks.moments.staggered_inputs` (e.g. of the scale
0.02 world); every person is repeated K times under new keys, inside DuckDB (4 GB limit,
spilling to ``DIR/spill``). Replication keeps every stratum's means and covariances, so the ATT
must not move and its standard error must shrink by exactly ``sqrt(K)``: a check of the engine
path at national size without generating a national world.
"""

import json
import sys
import time
import warnings
from pathlib import Path

import ibis

from evaluation.estimate.staggered_moments import cohort_moments, staggered_did_from_moments


def main() -> None:
    """Fit the replicated population and print one JSON line."""
    folder, k = Path(sys.argv[1]), int(sys.argv[2])
    warnings.simplefilter("ignore")
    con = ibis.duckdb.connect(memory_limit="4GB", temp_directory=str(folder / "spill"))
    for name, columns in (("values", "time, completions"), ("people", "cohort")):
        con.raw_sql(
            f"CREATE VIEW {name} AS SELECT user_key || '-' || r.range AS user_key, {columns} "
            f"FROM read_parquet('{folder / name}.parquet'), range({k}) r"
        )
    clock = time.perf_counter()
    moments = cohort_moments(
        con.table("values"), con.table("people"), periods=range(1, 32), outcome="completions"
    )
    engine = time.perf_counter() - clock
    result = staggered_did_from_moments(moments, control="notyet", aggregate="dynamic")
    facts = {
        "people": result.details["n_units"],
        "engine_s": round(engine, 1),
        "total_s": round(time.perf_counter() - clock, 1),
        "ATT": result.coef()["ATT"],
        "SE": result.se()["ATT"],
    }
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
