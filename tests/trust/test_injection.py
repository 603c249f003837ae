"""Injection safety: hostile names stay text in every export; params are data, never code."""

from __future__ import annotations

import ast
import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from papermill.translators import translate_parameters
from support.stores import write_tiny_store

from evaluation.core.params import ParamsError, load_params
from evaluation.report.findings import neutralise_formulas
from evaluation.run.runner import run_editions
from evaluation.run.workbook import write_findings_workbook

#: Tests of the hostile run: on one xdist worker, so the run is made once.
HOSTILE = pytest.mark.xdist_group("hostile-run")
SCRIPT = '<script>alert("x")</script>'
IMAGE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.invalid","click")'
EVENT = f"Saptah {SCRIPT} opening"
MINISTRY = f"{FORMULA} {IMAGE}"


class _Active(HTMLParser):
    """Collects what a browser would run: script bodies, on* handlers, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append((tag, name))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _active(page: str) -> _Active:
    parser = _Active()
    parser.feed(page)
    return parser


def _hostile_store(folder: Path) -> Path:
    store = write_tiny_store(folder)
    events = pd.read_parquet(store / "events.parquet")
    events.loc[0, "event_name"] = EVENT
    ministry_webinar = events.iloc[[0]].assign(
        event_id="e3", event_name=f"{FORMULA} webinar", event_type="Webinar", is_central=False
    )
    pd.concat([events, ministry_webinar]).to_parquet(store / "events.parquet", index=False)
    attendance = pd.read_parquet(store / "event_attendance.parquet")
    extra = attendance.iloc[[0]].assign(event_id="e3")
    pd.concat([attendance, extra]).to_parquet(store / "event_attendance.parquet", index=False)
    orgs = pd.read_parquet(store / "org_hierarchy.parquet")
    orgs.loc[orgs["mdo_id"] == "m1", "ministry"] = MINISTRY
    orgs.to_parquet(store / "org_hierarchy.parquet", index=False)
    content = pd.read_parquet(store / "content.parquet")
    content.loc[0, "content_name"] = f"Ethics {SCRIPT}"
    content.to_parquet(store / "content.parquet", index=False)
    (store / "manifest.json").write_text("{}")
    return store


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    _hostile_store(tmp / "processed" / "tiny")
    (tmp / "raw").mkdir()
    params = tmp / "hostile.yaml"
    params.write_text(
        'edition: "2024"\ntitle: "Tiny <b>edition</b> <script>alert(2)</script>"\n'
        'window: {start: "2024-10-19", end: "2024-10-27"}\n'
        f"data: {{raw: {tmp}/raw, processed: {tmp}/processed, dataset: tiny, "
        "synthetic: {scale: 0.01, seed: 1}}\n"
        "notebooks: [01_participation]\nmin_cell: 1\n"
    )
    summary = run_editions([params], jobs=1, pdf=False, outputs=tmp / "outputs")
    assert all(r.status == "ok" for r in summary.results), [r.error for r in summary.results]
    return summary.run_dirs["2024"]


@HOSTILE
def test_hostile_names_are_shown_escaped_and_run_nothing_in_the_page(hostile_run):
    page = (hostile_run / "01_participation.html").read_text(encoding="utf-8")
    assert "Saptah &lt;script&gt;" in page  # the event name is shown, as text
    assert SCRIPT not in page and IMAGE not in page
    active = _active(page)
    assert not [s for s in active.scripts if "alert(1)" in s or 'alert("x")' in s]
    assert active.handlers == []


@HOSTILE
def test_a_hostile_params_title_is_inert_in_the_page(hostile_run):
    page = (hostile_run / "01_participation.html").read_text(encoding="utf-8")
    assert not [s for s in _active(page).scripts if "alert(2)" in s]


@HOSTILE
def test_hostile_names_are_inert_in_the_notebook_outputs(hostile_run):
    notebook = json.loads((hostile_run / "01_participation.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            shown = output.get("data", {}).get("text/html")
            if shown:
                active = _active("".join(shown))
                assert not [s for s in active.scripts if "alert(1)" in s or 'alert("x")' in s]
                assert active.handlers == []


@HOSTILE
def test_hostile_cells_are_neutralised_in_csv_and_xlsx(hostile_run):
    tables = hostile_run / "01_participation" / "tables"
    ministries = pd.read_csv(tables / "ministry_webinars.csv")
    assert ministries["ministry"].tolist() == ["'" + MINISTRY]
    book = load_workbook(hostile_run / "findings.xlsx")
    formulas = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@")
    ]
    assert formulas == []
    assert book["ministry_webinars"]["A2"].value == "'" + MINISTRY


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+CMD|' /C calc'!A0", "'+CMD|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ministry of Finance", "Ministry of Finance"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise_formulas_prefixes_only_formula_starts(value, shown):
    out = neutralise_formulas(pd.DataFrame({"name": [value], "count": [-5]}))
    assert out.loc[0, "name"] == shown
    assert out.loc[0, "count"] == -5  # numbers stay numbers


def test_workbook_never_writes_a_formula_even_from_a_raw_csv(tmp_path):
    tables = tmp_path / "nb" / "tables"
    tables.mkdir(parents=True)
    pd.DataFrame({"ministry": [FORMULA, "@cmd"], "attendees": ["12", "[c]"]}).to_csv(
        tables / "t.csv", index=False
    )
    write_findings_workbook(tmp_path, ["nb"])
    sheet = load_workbook(tmp_path / "findings.xlsx")["t"]
    assert [c.data_type for c in sheet["A"]] == ["s", "s", "s"]
    assert sheet["A2"].value == "'" + FORMULA and sheet["A3"].value == "'@cmd"


def test_params_yaml_is_read_with_a_safe_loader(tmp_path):
    marker = tmp_path / "pwned"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f'edition: "2024"\nwindow: {{start: "2024-10-19", end: "2024-10-27"}}\n'
        f'title: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(bad)
    assert not marker.exists()


def test_params_are_injected_into_notebooks_as_literals(tmp_path):
    hostile = "x\"; import os; os.system('touch /tmp/nlw-pwned') #\n'''\"\"\"\\"
    path = tmp_path / "p.yaml"
    path.write_text(
        'edition: "2024"\nwindow: {start: "2024-10-19", end: "2024-10-27"}\n'
        f"title: {json.dumps(hostile)}\nministries: [{json.dumps(hostile)}]\n"
    )
    parameters = load_params(path).notebook_parameters()
    assert parameters["title"] == hostile
    source = translate_parameters("nlw", "python", parameters, "Parameters")
    tree = ast.parse(source)
    assigned = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign), ast.dump(node)  # nothing but name = literal
        assigned[node.targets[0].id] = ast.literal_eval(node.value)
    assert assigned == parameters
