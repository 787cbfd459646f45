Attribute VB_Name = "gkxl"
' The buttons of the macro-enabled template. Each runs Python through xlwings (RunPython, in the module
' "xlwings" of this project); gkxl.excel does the work. Edit this file, not the workbook:
' `gkxl template --xlsm` builds the workbook's VBA project from it (stored in code page 936).
' Before starting Python each button checks that one is configured and present, and when Excel cannot start
' it (Python missing or moved, an antivirus or Defender rule blocking Office's child processes) the clerk
' gets a message in Chinese saying what happened and what to do, never a VBA error box.
Option Explicit

' Written by `gkxl excel-setup --all-users`: the interpreter for every account of this PC.
Private Const MACHINE_CONF As String = "\gkxl\xlwings.conf"
Private Const FALLBACK As String = "不用宏也能校验：打开“校验”工作表查看结论，红色单元格即为不符之处。"

Public Sub Validate()
Attribute Validate.VB_Description = "校验：检查勾稽关系和填报规范，标出有问题的单元格"
    StartPython "import gkxl.excel; gkxl.excel.validate()", "校验"
End Sub

Public Sub ClearMarks()
Attribute ClearMarks.VB_Description = "清除标记：去掉校验留下的颜色和批注，恢复原来的格式"
    StartPython "import gkxl.excel; gkxl.excel.clear()", "清除标记"
End Sub

Public Sub FillTotals()
Attribute FillTotals.VB_Description = "自动合计：按各项数字填写所有合计栏"
    StartPython "import gkxl.excel; gkxl.excel.fill_totals()", "自动合计"
End Sub

Public Sub TallyLedger()
Attribute TallyLedger.VB_Description = "从台账生成：按依申请台账、复议诉讼台账统计并填写表三、表四"
    StartPython "import gkxl.excel; gkxl.excel.tally()", "从台账生成"
End Sub

Private Sub StartPython(code As String, action As String)
    #If Mac Then
        RunPython code
    #Else
        If Not PythonReady(action) Then Exit Sub
        On Error GoTo Blocked
        RunPython code
        Exit Sub
Blocked:
        MsgBox "“" & action & "”没有完成：Excel 无法启动 Python（" & Err.Description & "）。" & vbCrLf & vbCrLf & _
            "常见原因：杀毒软件或 Windows 安全中心的“阻止所有 Office 应用程序创建子进程”规则拦截了 Python。" & _
            "请信息管理员为 Excel 放行 Python，或在 Python 所在电脑上重新运行 gkxl excel-setup。" & vbCrLf & vbCrLf & _
            FALLBACK, vbExclamation, "gkxl"
    #End If
End Sub

' True when the Python the buttons run is configured and exists; otherwise tells the clerk what to do.
' An account without its own setting takes the PC-wide one (excel-setup --all-users) on its first click.
Private Function PythonReady(action As String) As Boolean
    Dim interpreter As String, machine As String, value As String
    interpreter = GetConfig("INTERPRETER_WIN", "")
    If interpreter = "" Then
        machine = Environ("ProgramData") & MACHINE_CONF
        If FileExists(machine) Then
            If GetConfigFromFile(machine, "INTERPRETER_WIN", value) Then
                On Error Resume Next
                SaveConfigToFile GetConfigFilePath(), "INTERPRETER_WIN", value
                On Error GoTo 0
                interpreter = ExpandEnvironmentStrings(value)
            End If
        End If
    End If
    If interpreter = "" Then
        MsgBox "“" & action & "”需要 Python，但这台电脑还没有设置：" & vbCrLf & _
            "请信息管理员安装 gkxl 后运行 gkxl excel-setup --all-users（为本机所有用户设置一次即可）。" & _
            vbCrLf & vbCrLf & FALLBACK, vbExclamation, "gkxl"
        Exit Function
    End If
    If InStr(interpreter, "\") > 0 And Not FileExists(interpreter) Then
        MsgBox "“" & action & "”需要的 Python 找不到了：" & interpreter & vbCrLf & _
            "Python 可能已被卸载或移动。请重新安装 gkxl 后运行 gkxl excel-setup --all-users。" & _
            vbCrLf & vbCrLf & FALLBACK, vbExclamation, "gkxl"
        Exit Function
    End If
    PythonReady = True
End Function
