"""Issue 11 in a real browser, at desktop and 390 px with axe: Kent's finance viewer opens the dashboard, filters the
market figures to a quarter and a category and downloads a table as CSV (read with the browser's own session); the
contract manager opens the capacity map; a provider reads its results; the public reads the demand signals."""
import datetime

from selenium.webdriver.common.by import By

from helpers import check_both_widths, click_button, select_option, sign_in, sign_out

PASSWORD = "demo-password-2026"


def quarter_months_ago(months):
    """The quarter of the day `months` calendar months before today, as the demo counts them."""
    today = datetime.date.today()
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    return f"{year}-Q{month // 3 + 1}"


def fetch_text(driver, href):
    """The body of `href` fetched by the page itself, with its cookies (a download the test can read)."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then(t => done(r.status + '\\n' + t)))"
        ".catch(e => done('error ' + e));", href)


def test_finance_viewer_filters_and_downloads(driver, base_url):
    sign_in(driver, base_url, "finance@kent.demo", PASSWORD)
    driver.get(base_url + "/dashboard")
    assert driver.find_element(By.TAG_NAME, "h1").text.endswith("Dashboard")
    tiles = driver.find_element(By.CSS_SELECTOR, ".dps-tiles").text
    # Kent's demo has four direct placements running.
    assert "Placements running" in tiles and "4" in tiles
    check_both_widths(driver)
    driver.find_element(By.PARTIAL_LINK_TEXT, "Market figures").click()
    # The quarter two months ago holds two of Kent's placements (fostering and a children's home).
    quarter = quarter_months_ago(2)
    select_option(driver, "from", quarter)
    select_option(driver, "to", quarter)
    select_option(driver, "category", "Independent fostering")
    click_button(driver, "Show")
    assert f"from={quarter}" in driver.current_url and "category=" in driver.current_url
    started = driver.find_element(By.ID, "started").text
    assert "1 1 £49,400.00" in started  # one direct placement at £950 a week, 52 weeks
    # Only Kent's own partner row; nobody else's spend.
    partners = driver.find_element(By.ID, "partners").text
    assert "Kent County Council" in partners and "Brighton" not in partners
    # Charts carry their own title and description.
    svg = driver.find_element(By.CSS_SELECTOR, "#started svg")
    assert svg.get_attribute("role") == "img" and svg.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    check_both_widths(driver)
    link = driver.find_element(By.PARTIAL_LINK_TEXT, "Download \"weekly cost benchmarks\"").get_attribute("href")
    assert f"from={quarter}" in link and "figure=benchmarks" in link
    body = fetch_text(driver, link)
    assert body.startswith("200\n"), body[:200]
    assert "Independent fostering,1,95000,95000,95000" in body
    sign_out(driver, base_url)


def test_contract_manager_opens_capacity_map(driver, base_url):
    sign_in(driver, base_url, "contracts@westsussex.demo", PASSWORD)
    driver.get(base_url + "/dashboard")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Market capacity").click()
    assert driver.find_element(By.TAG_NAME, "h1").text.endswith("Market capacity")
    svg = driver.find_element(By.CSS_SELECTOR, "svg.dps-map")
    assert "Map of England" in svg.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    # Members in Kent show as a circle and in the table beside the map.
    assert svg.find_elements(By.CSS_SELECTOR, "circle[fill='#1d70b8']")
    assert "Kent" in driver.find_element(By.ID, "capacity-areas").text
    check_both_widths(driver)
    sign_out(driver, base_url)


def test_provider_results_and_public_demand(driver, base_url):
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(base_url + "/dashboard")
    assert "Your bids and wins" in driver.page_source
    check_both_widths(driver)
    sign_out(driver, base_url)
    driver.get(base_url + "/demand")
    assert "fewer than 5" in driver.page_source
    check_both_widths(driver)
