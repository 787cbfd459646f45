"""gkxl: the statutory annual report on government information disclosure, as workbooks.

政府信息公开工作年度报告：标准模板、勾稽关系校验、汇总与导出。
"""

__version__ = "0.1.0"
