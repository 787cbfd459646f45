"""The scheduled CSV job (incremental, atomic, locked) and the CSV shapes of a report.

Uses merge/ (for summaries), workbook/, check/, read/ and form/."""
