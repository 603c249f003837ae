"""Synthetic iGOT Karmayogi exports with planted, known effects (see docs/synthetic-data.md)."""

from evaluation.data.synth._config import EDITIONS, POPULATION_AT_SCALE_1, Edition
from evaluation.data.synth._generate import FORMATS, Format, generate

__all__ = ["generate", "Format", "FORMATS", "EDITIONS", "Edition", "POPULATION_AT_SCALE_1"]
