"""Findings and the validation engine: the rules of the form, cross-year rules, one verdict per report.

Uses read/ and form/."""
