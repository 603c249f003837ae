"""NLW impact-evaluation workbench: the tested library behind the notebooks.

Modules (see ``docs/architecture.md``): ``params``, ``contract``, ``ingest``, ``synth``,
``backend``, ``panel``, ``describe``, ``compare``, ``estimate``, ``diagnose``, ``disclosure``,
``figures``, ``findings``, ``run``, ``export``, ``cli``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nlw-evaluation")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
