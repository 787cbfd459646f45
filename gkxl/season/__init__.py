"""The reporting season: the roster of units (名册), every version each unit sent (SQLite), status, diff, accept.

Uses merge/, check/, read/, workbook/, form/ and the package root."""
