"""County summaries: township workbooks checked, summed exactly, and written with 汇总明细 and 来源.

Uses workbook/, check/, read/ and form/."""
