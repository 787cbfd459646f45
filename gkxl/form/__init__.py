"""The statutory forms as data: the model, label layout, rules and totals, read from `forms/*.json`.

Uses only the package root (errors); every other folder builds on this one."""
