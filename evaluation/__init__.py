"""NLW impact-evaluation workbench: the tested library behind the notebooks.

Layers, lowest first; a layer imports only the layers below it (``tests/test_architecture.py``
checks the rule; ``docs/architecture.md`` says where new code goes):

``core``      params, the canonical contract and the shared vocabulary (definitions, labels)
``data``      ingest of the platform's exports, the synthetic generator, the engines
``estimate``  every estimator, from person-level frames or from engine moments
``analysis``  describe, panels, comparisons, diagnostics, the impact evaluation and its verdict
``report``    the notebook's edition handle, findings, disclosure control, formatting,
              figures and the sections each notebook shows
``run``       the runner, exporters, workbook, index, outputs guard and privacy audit
``cli``       the ``nlw`` command

For a researcher, one import opens an edition (:func:`evaluation.report.edition.open_edition`):

>>> from evaluation import estimate, open_edition
>>> ed = open_edition("params/2024.yaml")  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluation.report.edition import open_edition

try:
    __version__ = version("nlw-evaluation")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"

__all__ = ["__version__", "open_edition"]


def __getattr__(name: str) -> Any:
    """``evaluation.open_edition``, imported on first use.

    Lazily: it loads the report layer (IPython, matplotlib), which ``nlw`` and the lower
    layers should not pay for when they import ``evaluation``.
    """
    if name == "open_edition":
        from evaluation.report.edition import open_edition

        return open_edition
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
