"""Vietnamese alphabetical order and accent-free matching (portfolio/vietnamese.py), and the bodies' stored keys."""

import pytest

from portfolio.vietnamese import fold, matches, sort_key, sorted_vietnamese


@pytest.mark.parametrize("before, after", [
    ("Ban Tổ chức Thành ủy", "Ban Tuyên giáo và Dân vận Thành ủy"),  # o < u before any tone is looked at
    ("Dân vận", "Đảng ủy UBND thành phố"),  # D before Đ
    ("Đảng ủy UBND thành phố", "Văn phòng Thành ủy"),  # Đ after D, long before V
    ("Đảng ủy", "Ê-đê"),  # Đ before E
    ("Ban", "Ban Tổ chức"),  # a shorter name first
    ("Ban Tổ", "Bana"),  # the word gap before any letter
    ("Ba", "Bà"), ("Bà", "Bả"), ("Bả", "Bã"), ("Bã", "Bá"), ("Bá", "Bạ"),  # tones: ngang, huyền, hỏi, ngã, sắc, nặng
    ("Bạ", "Bă"), ("Bă", "Bâ"), ("Bâ", "Bb"),  # a ă â b
    ("Co", "Cô"), ("Cô", "Cơ"), ("Cơ", "Cp"),  # o ô ơ p
    ("Tu", "Tư"), ("Tư", "Tv"),  # u ư v
    ("Sở 2", "Sở A"),  # digits before letters
    ("UBND", "ủy ban"),  # U-B before U-Y, whatever the case and tone
])
def test_sort_key_orders_as_the_vietnamese_alphabet(before, after):
    assert sort_key(before) < sort_key(after)


def test_sorted_vietnamese_orders_the_party_bodies():
    names = ["Văn phòng Thành ủy", "Đảng ủy UBND thành phố", "Ban Tuyên giáo và Dân vận Thành ủy", "Ban Tổ chức Thành ủy",
             "Ủy ban Kiểm tra Thành ủy", "Ban Nội chính Thành ủy", "Trường Chính trị thành phố", "UBND thành phố"]
    assert sorted_vietnamese(names) == [
        "Ban Nội chính Thành ủy", "Ban Tổ chức Thành ủy", "Ban Tuyên giáo và Dân vận Thành ủy", "Đảng ủy UBND thành phố",
        "Trường Chính trị thành phố", "UBND thành phố", "Ủy ban Kiểm tra Thành ủy", "Văn phòng Thành ủy",
    ]


def test_sort_key_is_digits_only_so_any_collation_keeps_the_order():
    assert sort_key("Đảng ủy Ủy ban MTTQ Việt Nam, thành phố (Cần Thơ)").isdigit()
    assert sort_key("  Ban  ") == sort_key("Ban") and sort_key("BAN") == sort_key("ban")


def test_fold_and_matches_ignore_accents_and_case():
    assert fold("Sở  Xây dựng") == "so xay dung"
    assert fold("ĐẢNG ỦY") == "dang uy"
    assert matches("xay dung", "Sở Xây dựng") and matches("SO XAY", "Sở Xây dựng")
    assert not matches("xay dung giao thong", "Sở Xây dựng")


def test_agency_keeps_its_keys_on_save_and_lists_in_vietnamese_order(programme):
    from portfolio.models import Agency

    agency = Agency.objects.create(name="Sở Xây dựng thành phố")
    assert agency.search_key == "so xay dung thanh pho" and agency.sort_key == sort_key("Sở Xây dựng thành phố")
    agency.name = "Sở Giao thông vận tải"
    agency.save(update_fields=["name"])
    agency.refresh_from_db()
    assert agency.sort_key == sort_key("Sở Giao thông vận tải") and "giao thong" in agency.search_key
    names = list(Agency.objects.values_list("name", flat=True))
    assert names == sorted_vietnamese(names)
    assert names.index("Ban Tổ chức Thành ủy") < names.index("Ban Tuyên giáo và Dân vận Thành ủy")
    assert names.index("Đảng ủy UBND thành phố") < names.index("Văn phòng Thành ủy")


def test_task_list_sorted_by_lead_body_follows_the_vietnamese_alphabet(office):
    from django.test import Client

    client = Client()
    client.force_login(office)
    response = client.get("/tasks/", {"sort": "lead_name", "per_page": 200})
    leads = [row.record.lead_name for row in response.context["table"].page.object_list]
    assert len(leads) == 200 and len(set(leads)) > 3
    assert [sort_key(name) for name in leads] == sorted(sort_key(name) for name in leads)
    backwards = client.get("/tasks/", {"sort": "-lead_name", "per_page": 200}).context["table"].page.object_list
    assert sort_key(backwards[0].record.lead_name) >= sort_key(leads[-1])
