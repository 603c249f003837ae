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
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nlw-evaluation")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
