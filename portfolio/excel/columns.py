"""The column maps of the workbooks: header <-> field, shared by the writers and the readers."""

APPENDIX_HEADERS = (
    "TT",
    "NHIỆM VỤ CỤ THỂ",
    "CƠ QUAN, TỔ CHỨC ĐẢNG CHỦ TRÌ",
    "CƠ QUAN, TỔ CHỨC ĐẢNG PHỐI HỢP",
    "THỜI HẠN THỰC HIỆN",
    "NGUỒN LỰC",
)
# The task fields behind the appendix columns, in the same order (TT is the number).
APPENDIX_FIELDS = ("number", "title", "lead_text", "partners_text", "deadline_text", "funding_text")
# The meeting workbook's catalogue adds tracking columns to these: portfolio.columns.MEETING_COLUMNS.
CATALOGUE_SHEET = "Danh mục"
SUMMARY_SHEET = "Tổng hợp"
OVERDUE_SHEET = "Quá hạn"
TARGETS_SHEET = "Chỉ tiêu Nghị quyết"
HEADER_ROW = 4  # title, as-of line, blank, then the header
