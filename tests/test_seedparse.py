import pytest

from portfolio.seedparse import ParsedRole, SourceError, clean_cell, parse_appendix, split_roles

HEADER = "TT\tNHIỆM VỤ CỤ THỂ\tCƠ QUAN, TỔ CHỨC ĐẢNG CHỦ TRÌ\tCƠ QUAN, TỔ CHỨC ĐẢNG PHỐI HỢP\tTHỜI HẠN THỰC HIỆN\tNGUỒN LỰC"


def source(*rows: str, header: str = HEADER) -> str:
    return "\n".join(
        ["Mở đầu", "**DANH MỤC CÁC NHIỆM VỤ, ĐỀ ÁN, DỰ ÁN", "(Tiếp tục cập nhật)", "", header, "I\tCÁC NHIỆM VỤ 2025 - 2030\t\t\t\t", *rows, "", "Ghi chú:", "sau"]
    )


ROW1 = "1\tNhiệm vụ một\tBan Thường vụ Thành ủy\tCác đảng ủy trực thuộc Thành ủy\t2026\tNgân sách nhà nước"
ROW2 = "2\tNhiệm vụ hai\tĐảng ủy UBND thành phố\t- Cơ quan chủ trì: UBND thành phố\t2027\tVốn ngoài ngân sách"


def test_parse_appendix_reads_the_real_programme(seed_text):
    parsed = parse_appendix(seed_text)
    assert [s.numeral for s in parsed.sections] == ["I", "II"]
    assert parsed.sections[1].title.startswith("CÁC NHIỆM VỤ, ĐỀ ÁN, DỰ ÁN, CÔNG TRÌNH QUAN TRỌNG TẦM NHÌN")
    assert [r.number for r in parsed.rows] == list(range(1, 253))
    assert sum(r.section == "I" for r in parsed.rows) == 208
    assert sum(r.section == "II" for r in parsed.rows) == 44


def test_parse_appendix_skips_repeated_misspelt_headers():
    misspelt = HEADER.replace("ĐẢNG CHỦ TRÌ", "ĐĂNG CHỦ TRỊ")
    parsed = parse_appendix(source(ROW1, misspelt, ROW2))
    assert [r.number for r in parsed.rows] == [1, 2]


def test_parse_appendix_names_the_line_of_a_row_with_missing_cells():
    with pytest.raises(SourceError) as error:
        parse_appendix(source(ROW1, "2\tNhiệm vụ hai\tĐảng ủy UBND thành phố\t2027"))
    assert error.value.line == 8
    assert "4 ô" in str(error.value) and "Dòng 8" in str(error.value)


def test_parse_appendix_refuses_a_gap_in_the_numbering():
    with pytest.raises(SourceError) as error:
        parse_appendix(source(ROW1, ROW2.replace("2\t", "4\t", 1)))
    assert error.value.line == 8
    assert "4" in error.value.message and "cần 2" in error.value.message


def test_parse_appendix_refuses_an_unrecognised_line():
    with pytest.raises(SourceError, match="Dòng 8: không nhận dạng được dòng"):
        parse_appendix(source(ROW1, "một dòng lạc giữa bảng"))


def test_parse_appendix_refuses_a_source_without_the_appendix():
    with pytest.raises(SourceError, match="không tìm thấy dòng mở đầu"):
        parse_appendix("Không có phụ lục nào ở đây")


def test_parse_appendix_refuses_a_source_cut_before_its_end():
    with pytest.raises(SourceError, match="không tìm thấy dòng kết thúc"):
        parse_appendix(source(ROW1).split("Ghi chú:")[0])


def test_clean_cell_removes_list_markup_and_collapses_whitespace():
    raw = '<ul style="list-style-type: none"> - Cơ quan chủ trì:  UBND thành phố &amp; khác </ul> '
    assert clean_cell(raw) == "- Cơ quan chủ trì: UBND thành phố & khác"


def test_split_roles_labelled_segments():
    cell = (
        "- Cơ quan chủ trì tham mưu: Ban Tổ chức Thành ủy. - Các cơ quan phối hợp: Các đảng ủy trực thuộc "
        "Thành ủy; Các cơ quan chuyên trách tham mưu, giúp việc Thành ủy."
    )
    assert split_roles(cell) == [
        ParsedRole("Ban Tổ chức Thành ủy", "advising_lead"),
        ParsedRole("Các đảng ủy trực thuộc Thành ủy", "coordinating"),
        ParsedRole("Các cơ quan chuyên trách tham mưu, giúp việc Thành ủy", "coordinating"),
    ]


def test_split_roles_implementing_lead_without_full_stop():
    cell = "- Cơ quan chủ trì: UBND thành phố - Cơ quan thực hiện: Các cơ quan chuyên môn tham mưu, giúp việc UBND thành phố"
    assert split_roles(cell) == [
        ParsedRole("UBND thành phố", "implementing_lead"),
        ParsedRole("Các cơ quan chuyên môn tham mưu, giúp việc UBND thành phố", "implementing"),
    ]


def test_split_roles_keeps_a_dash_inside_a_name():
    assert split_roles("Ban Dân vận - Mặt trận và các tổ chức chính trị - xã hội") == [
        ParsedRole("Ban Dân vận", "coordinating"),
        ParsedRole("Mặt trận và các tổ chức chính trị - xã hội", "coordinating"),
    ]


def test_split_roles_splits_commas_only_between_known_bodies():
    known = {"ban tổ chức thành ủy", "ban tuyên giáo và dân vận thành ủy"}
    cell = "- Các cơ quan phối hợp: Ban Tổ chức Thành ủy, Ban Tuyên giáo và Dân vận Thành ủy; Các cơ quan chuyên môn tham mưu, giúp việc UBND"
    names = [r.name for r in split_roles(cell, known, str.casefold)]
    assert names == ["Ban Tổ chức Thành ủy", "Ban Tuyên giáo và Dân vận Thành ủy", "Các cơ quan chuyên môn tham mưu, giúp việc UBND"]


def test_split_roles_unlabelled_cell_is_coordinating():
    assert split_roles("Cơ quan phối hợp: UBND thành phố.") == [ParsedRole("UBND thành phố", "coordinating")]
    assert split_roles("") == []
