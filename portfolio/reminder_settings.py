"""The reminder settings' texts read as values: thresholds in days, report due dates as day/month (pure functions, no Django).

The settings model validates with them and the reminder selection reads its configuration through them.
"""

import re
from datetime import date


def parse_thresholds(text: str) -> tuple[int, ...]:
    """"90, 30, 7" -> (90, 30, 7), largest first."""
    try:
        values = sorted({int(part) for part in re.split(r"[,;\s]+", text.strip()) if part}, reverse=True)
    except ValueError:
        raise ValueError("Các mốc phải là số ngày nguyên, cách nhau bằng dấu phẩy (ví dụ: 90, 30, 7).") from None
    if not values or any(v <= 0 or v > 366 for v in values):
        raise ValueError("Mỗi mốc phải từ 1 đến 366 ngày.")
    return tuple(values)


def parse_day_months(text: str) -> tuple[tuple[int, int], ...]:
    """"15/06, 15/12" -> ((15, 6), (15, 12)), in calendar order."""
    result = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})", part)
        if not match:
            raise ValueError(f"«{part}» không đúng dạng ngày/tháng (ví dụ 15/12).")
        day, month = int(match[1]), int(match[2])
        try:
            date(2001, month, day)
        except ValueError:
            raise ValueError(f"Ngày «{part}» không tồn tại.") from None
        result.append((day, month))
    if not result:
        raise ValueError("Cần ít nhất một hạn báo cáo.")
    return tuple(sorted(set(result), key=lambda dm: (dm[1], dm[0])))
