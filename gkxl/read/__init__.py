"""Reading a filled workbook: package checks, cell values, input discovery and the 上年数据 block.

Uses form/ and the package root."""
