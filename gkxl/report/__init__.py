"""The whole published report: six parts written from a workbook and a clerk's prose, and checked as an assessor would.

May use: importer, render, csv, merge, workbook, check, read, form (and the root plumbing).
"""
