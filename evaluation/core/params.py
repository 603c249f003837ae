"""The typed schema of a params file (one YAML per edition or ministry run).

A params file is validated before anything runs; every problem is reported as one line
(``key: message``), unknown keys with a "did you mean". The same keys are injected by Papermill
into the notebooks' ``parameters`` cell, so ``papermill notebooks/X.ipynb out.ipynb -f
params/2024.yaml`` works without the runner.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

__all__ = [
    "DataSource",
    "Params",
    "ParamsError",
    "Window",
    "load_params",
    "params_from_namespace",
    "project_root",
]

Treatment = Literal["participated", "target_met", "hours"]
Backend = Literal["duckdb", "spark"]
NumberStyle = Literal["indian", "international"]
OUTCOMES = (
    "learning_hours_90d",
    "completions_90d",
    "acbp_on_time",
    "assessment_score",
)


class ParamsError(ValueError):
    """A params file could not be read or does not validate; ``problems`` has one line each."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Strict):
    """The edition's week, both ends inclusive."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"window end {self.end} is before start {self.start}")
        return self

    @property
    def days(self) -> int:
        """Number of days in the window."""
        return (self.end - self.start).days + 1


class SyntheticSpec(_Strict):
    """How to generate the synthetic data when ``raw`` does not exist yet."""

    scale: Annotated[float, Field(gt=0, le=2)] = 0.004
    seed: int = 2024
    #: Also write the MDO reports (three code lines mixed across MDOs and report dates), which
    #: ingest cross-checks against the warehouse. They are about 8x the warehouse's size.
    reports: bool = True


class DataSource(_Strict):
    """Where the raw exports and the processed store live (paths relative to the project root)."""

    raw: str = "data/raw/synthetic"
    processed: str = "data/processed"
    dataset: str = "synthetic"
    synthetic: SyntheticSpec | None = SyntheticSpec()

    def raw_path(self, root: Path) -> Path:
        """Absolute path of the raw folder."""
        return (root / self.raw).resolve()

    def store_path(self, root: Path) -> Path:
        """Absolute path of this dataset's processed store."""
        return (root / self.processed / self.dataset).resolve()


class Params(_Strict):
    """Everything a run of one edition needs; see ``params/README.md`` for every key."""

    edition: Annotated[str, Field(pattern=r"^[0-9]{4}[A-Za-z0-9_-]*$")]
    title: str = "National Learning Week"
    window: Window
    data: DataSource = DataSource()
    backend: Backend = "duckdb"
    treatment: Treatment = "participated"
    target_hours: Annotated[float, Field(gt=0, le=40)] = 4.0
    outcomes: list[str] = list(OUTCOMES)
    pre_months: Annotated[int, Field(ge=1, le=24)] = 6
    post_months: Annotated[int, Field(ge=1, le=24)] = 6
    comparisons: list[str] = ["group"]
    groups: list[Literal["A", "B", "C", "Unknown"]] = ["A", "B", "C"]
    ministries: list[str] | Literal["all"] = "all"
    ministry: str | None = None
    brief_min_participants: Annotated[int, Field(ge=1)] = 100
    previous_edition: str | None = None
    min_cell: Annotated[int, Field(ge=1, le=1000)] = 10
    seed: int = 2024
    number_style: NumberStyle = "indian"
    notebooks: list[str] = ["01_participation"]

    @model_validator(mode="after")
    def _known_outcomes(self) -> Params:
        unknown = [o for o in self.outcomes if o not in OUTCOMES]
        if unknown:
            hint = _did_you_mean(unknown[0], OUTCOMES)
            raise ValueError(f"unknown outcome {unknown[0]!r}{hint}; known: {', '.join(OUTCOMES)}")
        return self

    @property
    def is_synthetic(self) -> bool:
        """Whether the data come from the workbench's generator."""
        return self.data.synthetic is not None

    def notebook_parameters(self) -> dict[str, Any]:
        """Plain JSON-able values for Papermill's injected ``parameters`` cell."""
        return self.model_dump(mode="json")


def project_root(start: Path | None = None) -> Path:
    """The workbench's folder: the one holding ``pyproject.toml`` and ``evaluation/``.

    Searched upwards from ``start`` or the current directory (so a notebook in ``notebooks/``
    finds the repository). With no ``start`` and nothing found there, the source tree this
    library was loaded from (a checkout or an editable install); failing that, the current
    directory.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_project(folder):
            return folder
    source_tree = Path(__file__).resolve().parents[2]
    if start is None and _is_project(source_tree):
        return source_tree
    return here


def _is_project(folder: Path) -> bool:
    return (folder / "pyproject.toml").exists() and (folder / "evaluation").is_dir()


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _format_error(err: ErrorDetails, model: type[BaseModel]) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"{where}: unknown key{_did_you_mean(str(err['loc'][-1]), _known_keys(err['loc']))}"
    if err["type"] == "missing":
        return f"{where}: required key is missing"
    message = err["msg"].removeprefix("Value error, ")
    return f"{where}: {message} (got {err.get('input')!r})" if "input" in err else message


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Params
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = getattr(field, "annotation", None)
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return []
        model = nested[0]
    return list(model.model_fields)


def validate_params(raw: dict[str, Any], source: str = "params") -> Params:
    """Validate a mapping into :class:`Params`, raising :class:`ParamsError` with one line each."""
    if not isinstance(raw, dict):
        raise ParamsError(source, ["the file must hold a mapping of keys to values"])
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        raise ParamsError(source, [_format_error(e, Params) for e in exc.errors()]) from None


def load_params(path: str | Path, *, check_data: bool = False) -> Params:
    """Read and validate a params YAML with a safe loader.

    Parameters
    ----------
    path
        The YAML file.
    check_data
        Also require that the raw data folder exists, unless it can be generated.

    Raises
    ------
    ParamsError
        Missing file, YAML syntax error, or any schema problem (all listed at once).
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError(str(path), ["params file not found"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParamsError(str(path), [f"not valid YAML: {exc}".splitlines()[0]]) from None
    params = validate_params(raw, str(path))
    if check_data:
        raw_dir = params.data.raw_path(project_root(path.parent))
        if not raw_dir.exists() and params.data.synthetic is None:
            raise ParamsError(str(path), [f"data.raw: folder {raw_dir} does not exist"])
    return params


def params_from_namespace(namespace: dict[str, Any]) -> Params:
    """Build :class:`Params` from a notebook's globals after Papermill injected them."""
    keys = set(Params.model_fields)
    return validate_params({k: v for k, v in namespace.items() if k in keys}, "notebook parameters")
