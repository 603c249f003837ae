"""Raw platform exports -> canonical processed tables, with validation and pseudonymisation.

Public entry points: :func:`validate` (report every problem in one pass) and :func:`ingest`
(write ``<out>/<dataset>/*.parquet`` and ``manifest.json`` atomically).
"""

from evaluation.data.ingest.errors import DataError, IngestError, Problem, ValidationReport
from evaluation.data.ingest.layout import Layout, RawFile, detect_layout
from evaluation.data.ingest.pipeline import ingest, validate
from evaluation.data.ingest.privacy import load_salt, pseudonymise
from evaluation.data.ingest.store import Manifest

__all__ = [
    "DataError",
    "IngestError",
    "Layout",
    "Manifest",
    "Problem",
    "RawFile",
    "ValidationReport",
    "detect_layout",
    "ingest",
    "load_salt",
    "pseudonymise",
    "validate",
]
