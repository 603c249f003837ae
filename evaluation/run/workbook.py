"""``findings.xlsx``: the run's findings and tables for readers who live in spreadsheets."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from evaluation.report.findings import neutralise_formulas

__all__ = ["write_findings_workbook"]


def write_findings_workbook(run_dir: Path, notebooks: list[str], path: Path | None = None) -> Path:
    """One sheet of headline findings, then one sheet per table (names cut to Excel's 31).

    Parameters
    ----------
    run_dir : pathlib.Path
        The run folder holding each notebook's ``findings.json`` and ``tables/*.csv``.
    notebooks : list of str
        The notebooks' output names, in the order their rows and sheets appear.
    path : pathlib.Path, optional
        Where to write; default ``run_dir / "findings.xlsx"``.

    Returns
    -------
    pathlib.Path
        The workbook, written through a temporary file and a rename.
    """
    path = path or run_dir / "findings.xlsx"
    tmp = path.with_name(f".{path.name}.tmp")
    rows, tables = [], []
    for name in notebooks:
        folder = run_dir / name
        findings = folder / "findings.json"
        if findings.exists():
            data = json.loads(findings.read_text(encoding="utf-8"))
            for item in data["findings"]:
                rows.append(
                    {
                        "report": name,
                        **{k: item[k] for k in ("label", "display", "value", "unit", "definition")},
                    }
                )
        tables += sorted((folder / "tables").glob("*.csv")) if (folder / "tables").is_dir() else []
    # strings_to_formulas off: text is always data, never a formula (injection safety)
    with pd.ExcelWriter(
        tmp,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as writer:
        # a fixed creation date: the same findings give the same workbook bytes
        writer.book.set_properties({"created": dt.datetime(2024, 1, 1)})
        summary = pd.DataFrame(
            rows, columns=["report", "label", "display", "value", "unit", "definition"]
        )
        neutralise_formulas(summary.astype({"value": "string"})).to_excel(
            writer, sheet_name="findings", index=False
        )
        used = {"findings"}
        for csv in tables:
            sheet = csv.stem[:31]
            while sheet in used:
                sheet = sheet[:28] + f"~{len(used)}"
            used.add(sheet)
            neutralise_formulas(pd.read_csv(csv)).to_excel(writer, sheet_name=sheet, index=False)
    os.replace(tmp, path)
    return path
