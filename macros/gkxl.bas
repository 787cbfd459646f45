Attribute VB_Name = "gkxl"
' The buttons of the macro-enabled template. Each runs Python through xlwings (RunPython, in the module
' "xlwings" of this project); gkxl.excel does the work. Edit this file, not the workbook:
' `gkxl template --xlsm` builds the workbook's VBA project from it (stored in code page 936).
Option Explicit

Public Sub Validate()
Attribute Validate.VB_Description = "校验：检查勾稽关系和填报规范，标出有问题的单元格"
    RunPython "import gkxl.excel; gkxl.excel.validate()"
End Sub

Public Sub ClearMarks()
Attribute ClearMarks.VB_Description = "清除标记：去掉校验留下的颜色和批注，恢复原来的格式"
    RunPython "import gkxl.excel; gkxl.excel.clear()"
End Sub

Public Sub FillTotals()
Attribute FillTotals.VB_Description = "自动合计：按各项数字填写所有合计栏"
    RunPython "import gkxl.excel; gkxl.excel.fill_totals()"
End Sub

Public Sub TallyLedger()
Attribute TallyLedger.VB_Description = "从台账生成：按依申请台账、复议诉讼台账统计并填写表三、表四"
    RunPython "import gkxl.excel; gkxl.excel.tally()"
End Sub
