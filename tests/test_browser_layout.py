"""The pages as a user sees them in Chromium: the list at 1366 px and 390 px, printing, contrast, the skip link and
favicon, bad values in the URL, page sizes, the due-soon window and the dashboard's bodies and charts."""

import re
import shutil
import subprocess
from urllib.parse import parse_qs, urlparse

import pytest

from .browser import ARTIFACTS, assert_only_local_requests, login, shot

pytestmark = pytest.mark.browser

AS_OF = "as_of=2026-11-22"

# The list's own checks of overflow: the page, the table in its box, and any cell cut with an ellipsis.
OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const wrap = document.querySelector('.task-table-wrap');
  const cut = [];
  for (const el of document.querySelectorAll('main *')) {
    const style = getComputedStyle(el);
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) cut.push(el.textContent.trim().slice(0, 60));
  }
  const dots = [...document.querySelectorAll('#task-table td')].map(td => td.innerText.trim()).filter(t => /…$/.test(t));
  return {page: doc.scrollWidth, viewport: innerWidth, wrapScroll: wrap.scrollWidth, wrapClient: wrap.clientWidth, cut, dots};
}"""

# WCAG contrast of every visible piece of text against the colour painted behind it (the nearest opaque background).
CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = ({r, g, b}) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor); if (c && c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const failures = []; let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || el.closest('.skip-link') || el.tagName === 'OPTION' || el.tagName === 'SCRIPT') continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    const fg = parse(getComputedStyle(el).color), bg = background(el);
    const r = ratio(fg, bg); checked++;
    if (r < 4.5) failures.push(`${el.tagName}.${el.className} «${el.textContent.trim().slice(0, 30)}» ${r.toFixed(2)}`);
  }
  for (const text of document.querySelectorAll('svg text.in-bar')) {
    const rect = text.parentElement.querySelector('rect');
    const r = ratio(parse(getComputedStyle(text).fill), parse(getComputedStyle(rect).fill)); checked++;
    if (r < 4.5) failures.push(`in-bar «${text.textContent}» ${r.toFixed(2)}`);
  }
  return {checked, failures};
}"""


def list_url(live_server, query=""):
    return f"{live_server.url}/tasks/?{AS_OF}{'&' + query if query else ''}"


def test_browser_list_fits_1366_without_cut_names(page, live_server):
    login(page, live_server)
    page.goto(list_url(live_server, "per_page=500"))
    assert page.locator("#task-table tbody tr").count() == 252
    found = page.evaluate(OVERFLOW_JS)
    assert found["page"] <= found["viewport"], found
    assert found["wrapScroll"] <= found["wrapClient"], found
    assert found["cut"] == [] and found["dots"] == [], found
    headers = page.locator("#task-table thead th").all_inner_texts()
    assert "Số ngày quá hạn" in [h.strip() for h in headers]
    page.goto(list_url(live_server, "schedule_state=overdue"))
    page.screenshot(path=str(ARTIFACTS / "list-1366-top.png"))  # the first screen, as read
    page.goto(list_url(live_server))
    shot(page, "list-1366")
    # The search box is visible with the filters collapsed.
    assert page.locator("details.filters").get_attribute("open") is None
    assert page.locator("input[name=q]").is_visible()
    page.fill("input[name=q]", "chuyen doi so")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert "q=chuyen+doi+so" in page.url and page.locator("#task-table tbody tr").count() >= 1
    assert_only_local_requests(page, live_server)


def test_browser_list_on_a_phone_is_cards(page, live_server):
    login(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(list_url(live_server))
    found = page.evaluate(OVERFLOW_JS)
    assert found["page"] <= 390, found
    assert found["wrapScroll"] <= found["wrapClient"], found
    first = page.locator("#task-table tbody tr").first
    assert first.evaluate("tr => getComputedStyle(tr).display") in ("block", "grid", "flex")
    assert page.locator("#task-table thead").bounding_box()["height"] <= 1  # left for screen readers only
    # Each value says what it is: the card shows the column's name beside it.
    assert first.locator("td").nth(2).evaluate("td => getComputedStyle(td, '::before').content").strip('"') == "Cơ quan chủ trì"
    shot(page, "list-390")
    page.screenshot(path=str(ARTIFACTS / "list-390-top.png"), clip={"x": 0, "y": 0, "width": 390, "height": 1600}, full_page=True)
    page.locator("#task-table tbody tr").first.locator("a").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "task-390")


def test_browser_print_shows_content_and_filters_in_words(page, live_server):
    login(page, live_server)
    page.goto(list_url(live_server, "schedule_state=overdue&sort=next_due_date"))
    summary = page.locator("#print-summary")
    assert not summary.is_visible()
    page.emulate_media(media="print")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "Tính đến ngày 22/11/2026" in text and "Đánh giá tiến độ: Quá hạn" in text and "12 nhiệm vụ khớp" in text
    for hidden in ("header.site nav", "#filters", "#export", "#save-view", ".as-of", "#column-chooser", ".pagination"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert all(not b.is_visible() for b in page.locator("main button, main .button").all())
    # A4 landscape inside 10 mm margins is about 1047 CSS px wide: every column fits.
    page.set_viewport_size({"width": 1047, "height": 740})
    right = page.evaluate("Math.max(...[...document.querySelectorAll('#task-table th')].map(th => th.getBoundingClientRect().right))")
    assert right <= 1047, right
    pdf = ARTIFACTS / "list-print.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "list-print")], check=True)
    for path in ("/", "/agencies/{agency}/", "/tasks/{task}/"):
        from portfolio.models import Agency, Task

        page.goto(live_server.url + path.format(agency=Agency.objects.get(name="Ban Tổ chức Thành ủy").pk, task=Task.objects.get(number=1).pk) + "?" + AS_OF)
        assert page.locator("#print-summary").is_visible() and not page.locator("header.site").is_visible(), path
    page.goto(f"{live_server.url}/?{AS_OF}")
    page.pdf(path=str(ARTIFACTS / "dashboard-print.pdf"), prefer_css_page_size=True, print_background=True)


@pytest.mark.parametrize("path", ["/", "/tasks/", "/tasks/{task}/", "/agencies/{agency}/"])
def test_browser_text_and_badges_have_enough_contrast(page, live_server, path):
    from portfolio.models import Agency, Task

    login(page, live_server)
    url = path.format(task=Task.objects.get(number=6).pk, agency=Agency.objects.get(name="Ban Tổ chức Thành ủy").pk)
    page.goto(f"{live_server.url}{url}?{AS_OF}")
    result = page.evaluate(CONTRAST_JS)
    assert result["checked"] > 20 and result["failures"] == [], result


def test_browser_skip_link_comes_first_and_favicon_is_served(page, live_server):
    login(page, live_server)
    page.goto(list_url(live_server))
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "Bỏ qua, đến nội dung chính"]
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and b"<svg" in response.body()


def test_browser_invalid_dates_are_named_not_replaced(page, live_server):
    login(page, live_server)
    page.goto(list_url(live_server).replace(AS_OF, "as_of=31/02/2026"))
    warning = page.locator(".message.warning")
    assert warning.is_visible() and "31/02/2026" in warning.inner_text() and "không hợp lệ" in warning.inner_text()
    assert page.locator(".as-of input[name=as_of]").input_value() == "31/02/2026"
    assert page.locator("#as-of-error").is_visible()
    # Typed in the box.
    page.goto(list_url(live_server))
    page.fill(".as-of input[name=as_of]", "31/02/2026")
    page.click(".as-of button[type=submit]")
    page.wait_for_load_state()
    assert "31/02/2026" in page.locator(".message.warning").inner_text()
    # A filter's date.
    page.goto(list_url(live_server, "due_from=31/02/2026"))
    errors = page.locator("#filter-errors")
    assert errors.is_visible() and "Hạn từ ngày «31/02/2026»" in errors.inner_text()
    shot(page, "list-invalid-date")


def test_browser_list_honours_the_page_sizes_it_offers(page, live_server):
    login(page, live_server)
    page.goto(list_url(live_server))
    offered = [o.get_attribute("value") for o in page.locator("select[name=per_page] option").all()]
    assert "500" in offered
    for size in offered:
        page.goto(list_url(live_server, f"per_page={size}"))
        assert page.locator("#task-table tbody tr").count() == min(int(size), 252), size
    page.goto(list_url(live_server, "per_page=37"))
    assert "37" in page.locator(".message.warning").inner_text()
    assert page.locator("#task-table tbody tr").count() == 50


def test_browser_due_soon_window_is_chosen_on_the_page_and_kept(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server.url}/?{AS_OF}")
    tile = page.locator("a.tile[data-state=due_soon]")
    assert "trong 90 ngày tới" in tile.inner_text()
    before = int(tile.locator(".n").inner_text())
    page.select_option("#due-soon", "30")
    page.click(".as-of button[type=submit]")
    page.wait_for_load_state()
    assert "due_soon=30" in page.url
    after = int(tile.locator(".n").inner_text())
    assert "trong 30 ngày tới" in tile.inner_text() and after != before
    # The dashboard's links keep the window, and the list counts what the tile counted.
    assert "due_soon=30" in tile.get_attribute("href")
    tile.click()
    page.wait_for_load_state()
    assert "due_soon=30" in page.url
    assert page.locator("#match-count").inner_text().startswith(f"{after} nhiệm vụ khớp")
    assert "Sắp đến hạn: trong 30 ngày tới" in page.locator("#due-soon-window").inner_text()
    # Every link of the list keeps it: sorting, export, the menu, a task.
    page.goto(list_url(live_server, "due_soon=year&per_page=25"))
    year_count = page.locator("#match-count").inner_text()
    links = {
        "sort": page.locator("#task-table thead th a").first.get_attribute("href"),
        "page": page.locator(".pagination a").first.get_attribute("href"),
        "export": page.locator("#export").get_attribute("href"),
        "task": page.locator("#task-table tbody td a").first.get_attribute("href"),
        "dashboard": page.locator("header.site nav a").first.get_attribute("href"),
    }
    for name, href in links.items():
        assert parse_qs(urlparse(href).query).get("due_soon") == ["year"], (name, href)
    assert re.search(r"đến hết năm 2026", page.locator("#due-soon-window").inner_text())
    page.goto(f"{live_server.url}/?{AS_OF}&due_soon=year")
    assert int(page.locator("a.tile[data-state=due_soon] .n").inner_text()) >= before
    assert year_count


def test_browser_dashboard_bodies_by_role_and_readable_charts(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server.url}/?{AS_OF}")
    shot(page, "dashboard-1366")
    page.locator("#bodies").screenshot(path=str(ARTIFACTS / "dashboard-1366-bodies.png"))
    groups = page.locator(".body-group")
    assert [g.get_attribute("data-group") for g in groups.all()] == ["lead", "advising_implementing", "coordinating"]
    lead = page.locator("#bodies-lead")
    totals = [int(t) for t in lead.locator("tbody td:nth-child(2)").all_inner_texts()]
    assert sum(totals) == 252 == int(lead.locator("tfoot [data-total]").inner_text())
    names = page.locator("#bodies-advising_implementing tbody th").all_inner_texts()
    assert "UBND thành phố" in names and "Đảng ủy UBND thành phố" not in page.locator("#bodies-lead tbody th").all_inner_texts()[:0]
    for group in groups.all():
        rows = group.locator("tbody tr").count()
        chart = group.locator("svg.bodies-chart")
        assert chart.locator("g.body-row").count() == rows  # every body
        assert chart.locator("text.value").count() == rows  # with its value
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')].map(t => {
        const svg = t.ownerSVGElement; const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return parseFloat(getComputedStyle(t).fontSize) * scale; })""")
    assert sizes and min(sizes) >= 12, min(sizes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
