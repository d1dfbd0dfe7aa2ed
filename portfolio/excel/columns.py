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
TRACKING_HEADERS = (
    "TÌNH TRẠNG",
    "TIẾN ĐỘ (%)",
    "HẠN (dd/mm/yyyy)",
    "ĐÁNH GIÁ TIẾN ĐỘ",
    "KẾT QUẢ / KHÓ KHĂN / ĐỀ XUẤT",
    "CẬP NHẬT LẦN CUỐI",
)
MEETING_HEADERS = APPENDIX_HEADERS + TRACKING_HEADERS
# Fitted to the width of an A4 landscape page at about 90% and written in 10 pt: at least 9 pt on paper.
MEETING_WIDTHS = (4, 27, 14, 18, 10, 11, 9.5, 6, 10.5, 9.5, 14, 10.5)
CATALOGUE_SHEET = "Danh mục"
SUMMARY_SHEET = "Tổng hợp"
OVERDUE_SHEET = "Quá hạn"
TARGETS_SHEET = "Chỉ tiêu Nghị quyết"
HEADER_ROW = 4  # title, as-of line, blank, then the header
