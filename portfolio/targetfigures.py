"""The measurable figures of the Resolution's 28 targets: a phrase of the source -> what, unit, comparison, value, year.

Pure data and functions, no Django. Which phrases of a target are figures, and what each measures, is a
curated table (FIGURES): a target's sentence does not say where one figure ends. From each phrase
``parse_phrase`` reads the comparison, the value or range, the unit and the year ("đến năm 2030") or
"hằng năm"; where the wording resists (a unit after a noun, "là" meaning "at most"), the table overrides
what was read. A test finds every phrase verbatim in the seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

AT_LEAST, MORE_THAN, ABOUT, BELOW, AT_MOST, BETWEEN, MAINTAIN, QUALITATIVE = (
    "at_least", "more_than", "about", "below", "at_most", "between", "maintain", "qualitative",
)
END_YEAR = 2030  # the term's end: a figure that names no year is due then

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
RANGE_RE = re.compile(rf"(?P<low>{NUMBER})\s*-\s*(?P<high>{NUMBER})\s*(?P<rest>.*)")
VALUE_RE = re.compile(rf"(?<![\d/])(?P<value>{NUMBER})(?![\d/])\s*(?P<rest>.*)")
YEAR_RE = re.compile(r"(?:đến|cuối)\s+(?:cuối\s+)?(?:năm\s+)?(?P<year>20\d\d)")
YEARLY_RE = re.compile(r"hằng năm|hàng năm|/năm", re.IGNORECASE)
# Checked in this order: "duy trì tỷ lệ thất nghiệp dưới 3,5%" is "below", "từ 75% trở lên" is "at least".
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"\btối thiểu\b|\bít nhất\b|trở lên", AT_LEAST),
    (r"\bthấp hơn\b|\bdưới\b", BELOW),
    (r"\bcao hơn\b|\btrên\b|\bhơn\b", MORE_THAN),
    (r"\bkhoảng\b", ABOUT),
    (r"\bduy trì\b", MAINTAIN),
)


def to_decimal(text: str) -> Decimal:
    """A number as Vietnamese writes it: "717.000" is seven hundred seventeen thousand, "10,5" ten and a half."""
    return Decimal(text.replace(".", "").replace(",", "."))


@dataclass(frozen=True)
class Figure:
    """A figure as read from its phrase (and corrected by the table where the wording resists)."""

    phrase: str
    measure: str
    unit: str = ""
    comparison: str = AT_LEAST
    value: Decimal | None = None
    value_high: Decimal | None = None
    year: int | None = END_YEAR
    yearly: bool = False


def _unit(rest: str) -> str:
    rest = rest.strip()
    if rest.startswith("%"):
        return "%"
    words = re.split(r"[;,.(“”]| trong | trên tổng| vào | ở | chỉ tiêu| xã\b| trường hợp", rest, maxsplit=1)[0].split()
    return " ".join(words[:3])


def parse_phrase(phrase: str, measure: str) -> Figure:
    """What can be read from the phrase alone: comparison, value or range, unit, year or yearly."""
    text = re.sub(r"\b20\d\d\s*-\s*20\d\d\b", "", phrase)  # "giai đoạn 2025 - 2030" is a period, not a range
    text = YEAR_RE.sub("", text)
    yearly = bool(YEARLY_RE.search(phrase))
    year_match = YEAR_RE.search(phrase)
    year = None if yearly else int(year_match["year"]) if year_match else END_YEAR
    said = next((c for pattern, c in KEYWORDS if re.search(pattern, text, re.IGNORECASE)), None)
    comparison = said or AT_LEAST  # "đạt 2%" (reach): at least
    value = high = None
    unit = ""
    ranged = RANGE_RE.search(text)
    single = VALUE_RE.search(text)
    if ranged:
        value, high, unit = to_decimal(ranged["low"]), to_decimal(ranged["high"]), _unit(ranged["rest"])
        if said != AT_LEAST:  # "10 - 15%/năm" is a range; "từ 10 - 10,5%/năm trở lên" is at least its lower end
            comparison = BETWEEN
    elif single:
        value, unit = to_decimal(single["value"]), _unit(single["rest"])
    else:
        comparison = QUALITATIVE
    return Figure(phrase=phrase, measure=measure, unit=unit, comparison=comparison, value=value, value_high=high, year=year, yearly=yearly)


@dataclass(frozen=True)
class Spec:
    """A row of the curated table: the phrase, what it measures, and what parsing gets wrong, if anything."""

    phrase: str
    measure: str
    fix: dict = field(default_factory=dict)


def S(phrase: str, measure: str, **fix) -> Spec:  # noqa: N802 - reads as a table
    return Spec(phrase, measure, fix)


YEARLY = {"yearly": True, "year": None}

FIGURES: dict[int, tuple[Spec, ...]] = {
    1: (
        S("GRDP) tính theo giá hiện hành đến năm 2030 đạt tối thiểu 717.000 tỷ đồng", "Tổng sản phẩm trên địa bàn (GRDP, giá hiện hành)"),
        S("GRDP bình quân đầu người đến năm 2030 phấn đấu đạt khoảng 215 triệu đồng/người/năm", "GRDP bình quân đầu người",
          unit="triệu đồng/người/năm", yearly=False, year=2030),
        S("bình quân giai đoạn 2025 - 2030 đạt từ 10 - 10,5%/năm trở lên", "Tốc độ tăng GRDP bình quân"),
        S("kim ngạch xuất khẩu, dịch vụ và thu ngoại tệ phấn đấu đến năm 2030 đạt 8,2 tỷ USD", "Kim ngạch xuất khẩu, dịch vụ và thu ngoại tệ"),
        S("giai đoạn 2025 - 2030 phấn đấu bình quân tăng 11%/năm", "Tốc độ tăng kim ngạch xuất khẩu, dịch vụ và thu ngoại tệ bình quân"),
        S("thu nhập bình quân đầu người đến năm 2030 đạt tối thiểu 8.500.000 đồng/người/tháng", "Thu nhập bình quân đầu người"),
    ),
    2: (
        S("Tổng thu ngân sách hằng năm tăng khoảng 15%", "Tốc độ tăng tổng thu ngân sách"),
        S("phấn đấu đến năm 2030 ước đạt 57.000 tỷ đồng", "Tổng thu ngân sách"),
    ),
    3: (
        S("tỷ trọng nông, lâm nghiệp và thủy sản chiếm thấp hơn 16%", "Tỷ trọng nông, lâm nghiệp và thủy sản trong GRDP"),
        S("công nghiệp và xây dựng chiếm cao hơn 35%", "Tỷ trọng công nghiệp và xây dựng trong GRDP"),
        S("công nghiệp chiếm hơn 29%", "Tỷ trọng công nghiệp trong GRDP"),
        S("dịch vụ chiếm cao hơn 45%", "Tỷ trọng dịch vụ trong GRDP"),
        S("thuế sản phẩm trừ trợ cấp sản phẩm chiếm cao hơn 4%", "Tỷ trọng thuế sản phẩm trừ trợ cấp sản phẩm trong GRDP"),
    ),
    4: (
        S("Tổng vốn đầu tư thực hiện trên địa bàn theo giá hiện hành đến năm 2030 đạt tối thiểu 286.000 tỷ đồng", "Tổng vốn đầu tư thực hiện trên địa bàn"),
        S("chiếm tỷ trọng 40% GRDP", "Tỷ trọng vốn đầu tư so với GRDP", comparison=ABOUT),
    ),
    5: (
        S("phấn đấu đạt kết quả xếp hạng trong “Nhóm 15 địa phương có chất lượng điều hành tốt”",
          "Xếp hạng các chỉ số PAR INDEX, SIPAS, PAPI, PCI", comparison=AT_MOST, value=Decimal(15), unit="thứ hạng"),
    ),
    6: (
        S("Đóng góp của năng suất nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế thành phố ở mức trên 55%", "Đóng góp của TFP vào tăng trưởng"),
        S("Tỷ trọng giá trị tăng thêm của kinh tế số trong GRDP đạt tối thiểu 30%", "Tỷ trọng kinh tế số trong GRDP"),
        S("Tỷ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp đạt trên 80%", "Tỷ lệ sử dụng dịch vụ công trực tuyến"),
        S("bố trí 3% tổng chi ngân sách cho phát triển KHCCN, đổi mới sáng tạo và chuyển đổi số", "Chi ngân sách cho KHCN, đổi mới sáng tạo và chuyển đổi số",
          **YEARLY),
        S("Số lượng công bố khoa học quốc tế tăng trung bình 10 - 15%/năm", "Tốc độ tăng công bố khoa học quốc tế"),
        S("Tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo đạt trên 40%", "Tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo"),
        S("đổi mới sáng tạo đạt 12 người trên một vạn dân", "Nhân lực nghiên cứu khoa học, phát triển công nghệ, đổi mới sáng tạo",
          unit="người/vạn dân", comparison=AT_LEAST),
        S("văn bằng bảo hộ sáng chế tăng trung bình 16 - 18% năm", "Tốc độ tăng đơn vị đăng ký sáng chế, văn bằng bảo hộ sáng chế", **YEARLY),
        S("tỷ lệ khai thác thương mại đạt 8 - 10%", "Tỷ lệ khai thác thương mại sáng chế"),
    ),
    7: (S("Tốc độ tăng trưởng bình quân của kinh tế tư nhân đạt từ 10%/năm trở lên", "Tốc độ tăng trưởng kinh tế tư nhân"),),
    8: (
        S("Tỷ lệ giải ngân vốn đầu tư công phấn đấu đạt 100% tổng kế hoạch vốn đầu tư công được Chính phủ giao", "Tỷ lệ giải ngân vốn đầu tư công",
          **YEARLY),
    ),
    9: (S("Dân số trung bình đến năm 2030 là 3.335.000 người", "Dân số trung bình", comparison=ABOUT),),
    10: (S("Chỉ số phát triển con người (HDI) đến năm 2030 đạt tối thiểu 0,78", "Chỉ số phát triển con người (HDI)", unit=""),),
    11: (
        S("giá trị năng suất lao động theo giá hiện hành đạt trên 358 triệu đồng/lao động/năm", "Giá trị năng suất lao động (giá hiện hành)",
          yearly=False, year=2030),
        S("tốc độ tăng năng suất lao động theo giá so sánh bình quân giai đoạn 2025 - 2030 đạt trên 10%", "Tốc độ tăng năng suất lao động (giá so sánh)",
          **YEARLY),
        S("tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ 35 - 40%", "Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ"),
        S("số lao động có việc làm trong nền kinh tế đến năm 2030 phấn đấu đạt 1.700.000 người", "Số lao động có việc làm trong nền kinh tế"),
        S("khu vực nông, lâm nghiệp và thủy sản đạt dưới 38%", "Tỷ lệ lao động khu vực nông, lâm nghiệp và thủy sản"),
        S("khu vực công nghiệp và xây dựng đạt trên 27%", "Tỷ lệ lao động khu vực công nghiệp và xây dựng"),
        S("khu vực dịch vụ đạt trên 35%", "Tỷ lệ lao động khu vực dịch vụ"),
        S("duy trì tỷ lệ thất nghiệp dưới 3,5%", "Tỷ lệ thất nghiệp", **YEARLY),
    ),
    12: (
        S("tuổi thọ trung bình tính từ lúc sinh đạt khoảng 77,12 tuổi", "Tuổi thọ trung bình"),
        S("thời gian sống khỏe mạnh đạt tối thiểu 68 năm", "Thời gian sống khỏe mạnh", unit="năm"),
    ),
    13: (
        S("phấn đấu đạt 19 bác sỹ/vạn dân", "Số bác sỹ trên vạn dân"),
        S("số giường bệnh đến cuối năm 2030 đạt trên 44 giường bệnh/vạn dân", "Số giường bệnh trên vạn dân"),
        S("đạt tỷ lệ bao phủ bảo hiểm y tế toàn dân", "Tỷ lệ bao phủ bảo hiểm y tế"),
        S("100% người dân được hưởng chính sách khám sức khỏe hằng năm", "Tỷ lệ người dân được khám sức khỏe định kỳ",
          unit="%", yearly=False, year=2030),
    ),
    14: (
        S("Tỷ lệ trường học các cấp đạt chuẩn quốc gia đến năm 2030 phấn đấu đạt 85%", "Tỷ lệ trường học các cấp đạt chuẩn quốc gia"),
        S("Mầm non đạt 90,5%", "Tỷ lệ trường mầm non đạt chuẩn quốc gia"),
        S("tiểu học đạt 83,9%", "Tỷ lệ trường tiểu học đạt chuẩn quốc gia"),
        S("trung học cơ sở đạt 83,6%", "Tỷ lệ trường trung học cơ sở đạt chuẩn quốc gia"),
        S("trung học phổ thông đạt 73,5%", "Tỷ lệ trường trung học phổ thông đạt chuẩn quốc gia"),
        S("Hoàn thành phổ cập giáo dục mầm non cho trẻ em từ 3 đến 5 tuổi và giáo dục bắt buộc hết trung học cơ sở",
          "Phổ cập giáo dục mầm non 3 - 5 tuổi và giáo dục bắt buộc hết trung học cơ sở", comparison=QUALITATIVE, value=None, unit=""),
    ),
    15: (
        S("Tỷ lệ nghèo đa chiều đến 2030 là 2,42%", "Tỷ lệ nghèo đa chiều", comparison=AT_MOST),
        S("duy trì mức giảm tỷ lệ nghèo đa chiều 1%", "Mức giảm tỷ lệ nghèo đa chiều", **YEARLY),
    ),
    16: (
        S("Tỷ lệ cụm công nghiệp đang hoạt động có hệ thống xử lý nước thải tập trung đạt tiêu chuẩn môi trường phấn đấu đạt 100%",
          "Tỷ lệ cụm công nghiệp có hệ thống xử lý nước thải tập trung đạt chuẩn"),
    ),
    17: (
        S("Tỷ lệ thu gom và xử lý chất thải rắn sinh hoạt đô thị bảo đảm tiêu chuẩn, quy chuẩn đạt trên 95,8%", "Tỷ lệ thu gom, xử lý chất thải rắn sinh hoạt đô thị"),
        S("tỷ lệ chất thải nguy hại được thu gom, xử lý đạt tối thiểu 98%", "Tỷ lệ chất thải nguy hại được thu gom, xử lý"),
        S("tỷ lệ chất thải y tế được xử lý đạt 100%", "Tỷ lệ chất thải y tế được xử lý"),
    ),
    18: (
        S("đạt 90,3% xã (65/72 xã) đạt chuẩn nông thôn mới", "Tỷ lệ xã đạt chuẩn nông thôn mới"),
        S("tỷ lệ hộ gia đình nông thôn được sử dụng nước sạch từ các nguồn theo quy chuẩn (%) phấn đấu đạt 85%",
          "Tỷ lệ hộ gia đình nông thôn sử dụng nước sạch theo quy chuẩn"),
    ),
    19: (S("Tỷ lệ che phủ rừng đến 2030 đạt 2%", "Tỷ lệ che phủ rừng"),),
    20: (S("tỷ lệ đô thị hóa đạt 50% trở lên", "Tỷ lệ đô thị hóa"),),
    21: (S("hoàn thành các nhiệm vụ phát triển đô thị thông minh", "Nhiệm vụ phát triển đô thị thông minh"),),
    22: (S("hoàn thành 16.900 căn nhà ở xã hội", "Nhà ở xã hội hoàn thành", unit="căn"),),
    23: (
        S("Hằng năm có trên 90% tổ chức cơ sở đảng, đảng viên được đánh giá, xếp loại từ hoàn thành tốt nhiệm vụ trở lên",
          "Tỷ lệ tổ chức cơ sở đảng, đảng viên xếp loại hoàn thành tốt nhiệm vụ trở lên", comparison=MORE_THAN),
    ),
    24: (
        S("tỷ lệ kết nạp đảng viên mới nhiệm kỳ 2025 - 2030 tăng 3 - 4% trên tổng số đảng viên của Đảng bộ", "Tỷ lệ kết nạp đảng viên mới trong nhiệm kỳ"),
        S("thực hiện tinh giản biên chế đạt 100% chỉ tiêu Trung ương giao", "Tinh giản biên chế so với chỉ tiêu Trung ương giao"),
    ),
    25: (S("Hằng năm, 75% quần chúng tham gia vào các tổ chức chính trị - xã hội trong độ tuổi", "Tỷ lệ quần chúng tham gia các tổ chức chính trị - xã hội"),),
    26: (
        S("hoàn thành 100% chỉ tiêu hàng năm", "Tuyển chọn, gọi công dân nhập ngũ; huấn luyện, diễn tập, giáo dục quốc phòng, an ninh"),
    ),
    27: (
        S("hằng năm số xã, phường đạt tiêu chuẩn “An toàn về an ninh, trật tự” từ 75% trở lên", "Tỷ lệ xã, phường đạt tiêu chuẩn “An toàn về an ninh, trật tự”",
          unit="%"),
        S("đến năm 2030 ít nhất 50% xã, phường trên địa bàn thành phố không có ma túy", "Tỷ lệ xã, phường không có ma túy"),
    ),
    28: (
        S("Ký kết ít nhất 05 thỏa thuận cấp thành phố với các địa phương, đối tác quốc tế", "Thỏa thuận cấp thành phố với địa phương, đối tác quốc tế",
          unit="thỏa thuận"),
        S("tham gia ít nhất 03 tổ chức quốc tế/diễn đàn đa phương", "Tổ chức quốc tế, diễn đàn đa phương tham gia", unit="tổ chức"),
        S("100% trường hợp được hỗ trợ hiệu quả qua công tác bảo hộ công dân ở nước ngoài", "Tỷ lệ trường hợp được hỗ trợ bảo hộ công dân"),
    ),
}


def target_figures(number: int) -> list[Figure]:
    """The figures of target ``number``: each phrase parsed, then corrected by the table."""
    return [replace(parse_phrase(spec.phrase, spec.measure), **spec.fix) for spec in FIGURES.get(number, ())]


# ---- who tracks which figure: the city's plan (seed 002) names the body -------------------------

@dataclass(frozen=True)
class Tracking:
    """The body that tracks figures, and the phrase of the city's plan that says so."""

    agency: str
    phrase: str
    figures: tuple[tuple[int, int], ...]  # (target number, figure position from 1)


TRACKING: tuple[Tracking, ...] = (
    Tracking("Sở Tài chính", "theo dõi thực hiện các chỉ tiêu: Tăng trưởng kinh tế; Tổng sản phẩm trên địa bàn bình quân đầu người; "
             "Cơ cấu kinh tế; Tổng vốn đầu tư phát triển toàn xã hội; Giá trị năng suất lao động",
             ((1, 1), (1, 2), (1, 3), (3, 1), (3, 2), (3, 3), (3, 4), (3, 5), (4, 1), (4, 2), (11, 1), (11, 2))),
    Tracking("Sở Tài chính", "theo dõi thực hiện chỉ tiêu về thu - chi ngân sách Nhà nước", ((2, 1), (2, 2))),
    Tracking("Sở Tài chính", "7 Tỷ lệ giải ngân vốn đầu tư công", ((8, 1),)),
    Tracking("Sở Xây dựng", "Sở Xây dựng theo dõi thực hiện các chỉ tiêu: Tỷ lệ đô thị hóa; Nhà ở xã hội", ((20, 1), (22, 1))),
    Tracking("Sở Nông nghiệp và Môi trường", "Sở Nông nghiệp và Môi trường theo dõi thực hiện các chỉ tiêu: Tỷ lệ hộ nghèo; "
             "Xã đạt chuẩn nông thôn mới nâng cao, kiểu mẫu; Tỷ lệ thu gom, xử lý chất thải rắn ở đô thị",
             ((15, 1), (15, 2), (18, 1), (17, 1))),
    Tracking("Sở Nông nghiệp và Môi trường", "Tỷ lệ hộ dân nông thôn được cung cấp nước sạch từ các nguồn theo quy chuẩn", ((18, 2),)),
    Tracking("Sở Nội vụ", "Sở Nội vụ theo dõi thực hiện chỉ tiêu Tỷ lệ lao động qua đào tạo", ((11, 3),)),
    Tracking("Sở Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo theo dõi thực hiện chỉ tiêu Tỷ lệ học sinh đi học đúng độ tuổi", ((14, 6),)),
    Tracking("Sở Y tế", "Sở Y tế và Bảo hiểm xã hội thành phố theo dõi thực hiện chỉ tiêu Tỷ lệ bao phủ bảo hiểm y tế", ((13, 3),)),
    Tracking("Công an thành phố", "Công an thành phố theo dõi thực hiện chỉ tiêu Tỷ lệ xã, phường đạt tiêu chuẩn an toàn về an ninh trật tự",
             ((27, 1),)),
)


def tracking_agencies() -> dict[tuple[int, int], str]:
    """(target number, figure position) -> the name of the body that tracks it, where the city's plan names one."""
    return {key: entry.agency for entry in TRACKING for key in entry.figures}
