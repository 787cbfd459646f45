"""Command names and the module holding each (loaded only when that command runs)."""

COMMANDS = {
    "accept": "gkxl.cli.accept",
    "check-report": "gkxl.cli.check_report",
    "csv": "gkxl.cli.csv",
    "diff": "gkxl.cli.diff",
    "excel-setup": "gkxl.cli.excel_setup",
    "form": "gkxl.cli.form",
    "import": "gkxl.cli.import_",
    "merge": "gkxl.cli.merge",
    "roster": "gkxl.cli.roster",
    "status": "gkxl.cli.status",
    "template": "gkxl.cli.template",
    "validate": "gkxl.cli.validate",
    "render": "gkxl.cli.render",
    "tally": "gkxl.cli.tally",
    "report": "gkxl.cli.report",
}
