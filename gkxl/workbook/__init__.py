"""Writing workbooks: the template, the 校验 sheet and its formulas, 上年数据, annotated copies, the .xlsm.

Uses check/, read/ and form/."""
