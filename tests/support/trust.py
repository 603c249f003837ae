"""Tiny raw inputs with known identifiers, and a clean fake run folder to plant them into."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import nbformat
from openpyxl import Workbook
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from evaluation.data.ingest.privacy import pseudonymise

SALT = b"trust-tests-salt-0123456789"
RAW_USER_ID = "3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f"

#: One identifier of each kind, all belonging to the first raw person.
PLANTED = {
    "email": "asha.verma41@gov.in",
    "phone": "9876543210",
    "name": "Asha Verma",
    "employee_id": "EMP551234",
    "raw_user_id": RAW_USER_ID,
    "external_id": "EXT99881234",
    "certificate_id": "cert-889900112233",
    "user_key": pseudonymise([RAW_USER_ID], SALT)[0],
}
#: A learner who is also a webinar speaker: public, so not searched.
SPEAKER = "Kavita Iyer"

_USERS = [
    (
        RAW_USER_ID,
        "Asha Verma",
        "Asha.Verma41@gov.in",
        "+91 98765 43210",
        "EMP551234",
        "EXT99881234",
    ),
    (
        "0b1c2d3e-aaaa-4bbb-8ccc-000000000002",
        SPEAKER,
        "kavita.iyer7@gov.in",
        "8123456789",
        "EMP551235",
        "",
    ),
    ("0b1c2d3e-aaaa-4bbb-8ccc-000000000003", "Li", "li.x@gov.in", "12345", "42", ""),
]
USER_DETAIL = "user_id,mdo_id,status,full_name,email,phone_number,employee_id,external_system_id\n"
USER_DETAIL += "".join(
    f'"{uid}","m1",1,"{name}","{email}","{phone}","{emp}","{ext}"\n'
    for uid, name, email, phone, emp, ext in _USERS
)
USER_ENROLMENTS = f"""user_id,batch_id,content_id,enrolled_on,certificate_id
"{RAW_USER_ID}","b1","c1",2024-10-20 10:00:00,"cert-889900112233"
"""
EVENT_DETAILS = f"""event_id,event_name,event_provider_mdo_id,presenters
"e1","Karmayogi Saptah: opening","m1","Dr. {SPEAKER}, Shri Someone Else"
"""
ORG = """mdo_id,mdo_name,ministry,department
"m1","Department of Examples","Ministry of Examples","Department of Examples"
"""
CONTENT = """content_id,content_provider_name,content_name
"c1","CBC","Ethics in governance"
"""


def write_raw(folder: Path) -> Path:
    """A warehouse-shaped raw folder holding the identifiers of :data:`PLANTED`."""
    warehouse = folder / "warehouse"
    warehouse.mkdir(parents=True)
    for name, text in {
        "user_detail": USER_DETAIL,
        "user_enrolments": USER_ENROLMENTS,
        "event_details": EVENT_DETAILS,
        "org_hierarchy": ORG,
        "content": CONTENT,
    }.items():
        (warehouse / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def png_bytes(text: str | None = None) -> bytes:
    """A 4x4 PNG, with ``text`` in an iTXt chunk when given."""
    info = PngInfo()
    if text is not None:
        info.add_itxt("Description", text)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF printing ``lines`` in Helvetica (enough for pypdf to extract)."""
    text = " ".join(
        f"BT /F1 11 Tf 40 {760 - 16 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def write_notebook(path: Path, *, source: str = "", output: str = "", png: bytes | None = None):
    """An executed-looking notebook with one code cell, a text output and an image output."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"ed = open_edition(globals())\n{source}")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": f"<p>7,400 participants {output}</p>"}
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": base64.b64encode(png or png_bytes()).decode("ascii")},
        ),
    ]
    notebook.cells = [cell]
    nbformat.write(notebook, path)


def write_html(path: Path, *, body: str = "", png: bytes | None = None) -> None:
    """A report page with an embedded PNG."""
    image = base64.b64encode(png or png_bytes()).decode("ascii")
    path.write_text(
        "<!DOCTYPE html>\n<html><body>\n<h1>NLW 2024</h1>\n"
        f'<p>Participants: 7,400 {body}</p>\n<img src="data:image/png;base64,{image}">\n'
        "</body></html>\n",
        encoding="utf-8",
    )


def write_xlsx(path: Path, *, cell: str = "") -> None:
    """A findings workbook."""
    book = Workbook()
    sheet = book.active
    sheet.title = "findings"
    sheet.append(["report", "label", "display"])
    sheet.append(["01_participation", "participants", "7,400"])
    sheet.append(["01_participation", "note", cell])
    book.save(path)


def write_run(folder: Path, plant: str | None = None, text: str = "") -> Path:
    """A clean run folder; ``plant`` names the place where ``text`` goes (see PLACES)."""
    report = folder / "01_participation"
    (report / "tables").mkdir(parents=True)
    (report / "figures").mkdir()
    here = plant or ""
    write_notebook(
        folder / "01_participation.ipynb",
        source=f"# {text}" if here == "ipynb_source" else "",
        output=text if here == "ipynb_output" else "",
        png=png_bytes(text) if here == "ipynb_png" else None,
    )
    write_html(
        folder / "01_participation.html",
        body=text if here == "html" else "",
        png=png_bytes(text) if here == "html_png" else None,
    )
    lines = ["National Learning Week 2024", "7,400 participants"]
    (folder / "01_participation.pdf").write_bytes(
        pdf_bytes(lines + ([text] if here == "pdf" else []))
    )
    findings = {
        "edition": "2024",
        "findings": [{"key": "participants", "value": 7400, "unit": "persons"}],
        "sentences": {"verdict": f"Most met the target. {text if here == 'json' else ''}"},
        "tables": {"hours": "Participants by hours"},
    }
    (report / "findings.json").write_text(json.dumps(findings, ensure_ascii=True))
    row = f'\n"{text}",12' if here == "csv" else ""
    (report / "tables" / "hours.csv").write_text(f"hours,participants\nunder 1 h,634{row}\n")
    write_xlsx(folder / "findings.xlsx", cell=text if here == "xlsx" else "")
    (report / "figures" / "daily.png").write_bytes(png_bytes(text if here == "png" else None))
    (folder / "run.log").write_text(f"run started\n{text if here == 'log' else ''}\n")
    return folder


#: Every place an identifier can be planted, with the file it lands in.
PLACES = {
    "ipynb_source": "01_participation.ipynb",
    "ipynb_output": "01_participation.ipynb",
    "ipynb_png": "01_participation.ipynb",
    "html": "01_participation.html",
    "html_png": "01_participation.html",
    "pdf": "01_participation.pdf",
    "json": "01_participation/findings.json",
    "csv": "01_participation/tables/hours.csv",
    "xlsx": "findings.xlsx",
    "png": "01_participation/figures/daily.png",
    "log": "run.log",
}
