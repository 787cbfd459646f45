"""Auditing a province in one run: the 审查结果 summary of imported reports, and reports as a pandas DataFrame.

Uses importer/, csv/ (the long shape), check/, read/, workbook/ (print setup) and form/."""

from __future__ import annotations


def __getattr__(name: str):
    # Lazy: importing gkxl.audit must not pull in openpyxl or pandas.
    if name == "reports_frame":
        from gkxl.audit.frame import reports_frame

        return reports_frame
    if name == "write_summary":
        from gkxl.audit.summary import write_summary

        return write_summary
    raise AttributeError(name)


__all__ = ["reports_frame", "write_summary"]
