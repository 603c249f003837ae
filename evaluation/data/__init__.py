"""Data layer: ingest of the platform's exports, the synthetic generator, the engines.

``ingest`` (raw exports -> canonical Parquet store), ``synth`` (synthetic exports with planted
effects), ``backend`` / ``spark`` (Ibis on DuckDB or PySpark), ``ensure`` (make the store an
edition needs, synthesising and ingesting when it is missing).
"""
