"""Run layer: execute an edition's notebooks and publish what they made.

``runner`` (Papermill in worker processes), ``exporters`` (HTML, PDF, findings JSON, XLSX),
``workbook``, ``index``, ``outputs_guard`` and ``audit`` (the privacy self-audit).
"""
