"""One real chain (synth -> ingest -> Papermill) per test process, shared by runner and trust tests.

The chain on ``params/ci.yaml`` (scale 0.002, every notebook, 2 workers, no PDF) is the most
expensive fixture of the suite. ``tests/runner/test_end_to_end.py`` checks what it makes and
``tests/trust/test_real_run.py`` compares it with a second run; both import it as
``support.worlds`` (one module, so one cache) and mark their tests ``xdist_group("ci-world")``,
so one xdist worker builds it once for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from evaluation.run.runner import RunSummary, run_editions

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CiWorld:
    """The shared run: its folder, the params it ran with, and what the runner returned."""

    tmp: Path
    params: dict
    params_path: Path
    summary: RunSummary

    @property
    def raw(self) -> Path:
        """Raw exports the generator wrote."""
        return self.tmp / "raw"

    @property
    def outputs(self) -> Path:
        """The run's outputs root."""
        return self.tmp / "outputs"


def ci_params(tmp: Path, processed: str = "processed") -> tuple[dict, Path]:
    """``params/ci.yaml`` with its data under ``tmp`` (raw shared, processed store by name)."""
    params = yaml.safe_load((ROOT / "params" / "ci.yaml").read_text())
    params["data"] |= {"raw": str(tmp / "raw"), "processed": str(tmp / processed)}
    path = tmp / f"ci-{processed}.yaml"
    path.write_text(yaml.safe_dump(params))
    return params, path


_BUILT: dict[str, CiWorld | BaseException] = {}


def ci_world(tmp_path_factory) -> CiWorld:
    """The shared run, built on first use in this process (a failed build is not retried)."""
    if "world" not in _BUILT:
        try:
            tmp = tmp_path_factory.mktemp("ci-world")
            params, path = ci_params(tmp)
            summary = run_editions([path], jobs=2, pdf=False, outputs=tmp / "outputs")
            _BUILT["world"] = CiWorld(tmp, params, path, summary)
        except BaseException as exc:
            _BUILT["world"] = exc
    built = _BUILT["world"]
    if isinstance(built, BaseException):
        raise built
    return built
