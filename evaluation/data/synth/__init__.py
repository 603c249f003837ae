"""Synthetic iGOT Karmayogi exports with planted, known effects (see docs/synthetic-data.md)."""

from evaluation.data.synth._config import EDITIONS, POPULATION_AT_SCALE_1, Edition
from evaluation.data.synth._generate import FORMATS, Format, generate
from evaluation.data.synth._variants import (
    CODE_LINES,
    DEFAULT_FEATURES,
    FEATURES,
    MIXES,
    Variants,
    variants_from,
)
from evaluation.data.synth._write import WAREHOUSE_FORMATS

__all__ = [
    "generate",
    "Format",
    "FORMATS",
    "EDITIONS",
    "Edition",
    "POPULATION_AT_SCALE_1",
    "Variants",
    "variants_from",
    "CODE_LINES",
    "FEATURES",
    "DEFAULT_FEATURES",
    "MIXES",
    "WAREHOUSE_FORMATS",
]
