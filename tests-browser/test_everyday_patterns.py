"""The everyday patterns of issue 7 in a real browser, at desktop and 390 px with axe: the date input and its
errors, a collapsed section that opens on its error, list filters, the audit trail in words, the placement
agreement, and a partner council's administrator changing a colleague's role."""
from selenium.webdriver.common.by import By

from helpers import (
    banner_text, check_both_widths, choose_radio, click_button, fill, select_option, sign_in, sign_out,
)

PASSWORD = "demo-password-2026"


def test_date_input_keeps_what_was_typed(driver, base_url):
    sign_in(driver, base_url, "officer@brighton-hove.demo", PASSWORD)
    driver.get(base_url + "/referrals/new")
    fill(driver, "startDate-day", "31")
    fill(driver, "startDate-month", "2")
    fill(driver, "startDate-year", "2027")
    click_button(driver, "Save referral")
    assert driver.title.startswith("Error: ")
    # The summary links to the day box, which kept what was typed.
    link = driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary a[href='#f-startDate']")
    link.click()
    assert driver.switch_to.active_element.get_attribute("name") == "startDate-day"
    assert driver.find_element(By.NAME, "startDate-day").get_attribute("value") == "31"
    assert driver.find_element(By.NAME, "startDate-month").get_attribute("value") == "2"
    check_both_widths(driver)
    # Filters on the referral list, kept in the address.
    driver.get(base_url + "/referrals")
    select_option(driver, "state", "Awarded")
    click_button(driver, "Apply")
    assert "state=awarded" in driver.current_url
    check_both_widths(driver)
    placements = driver.find_elements(By.CSS_SELECTOR, "a[href^='/placements/']")
    if placements:
        placements[0].click()
        assert "Value a year" in driver.page_source and "Total value" in driver.page_source
        check_both_widths(driver)
    sign_out(driver, base_url)


def test_errors_open_their_section_and_the_audit_reads_in_words(driver, base_url):
    sign_in(driver, base_url, "admin@westsussex.demo", PASSWORD)
    driver.get(base_url + "/admin/dps")
    section = driver.find_element(By.XPATH, "//details[summary[normalize-space()='Close entry for a period']]")
    section.find_element(By.TAG_NAME, "summary").click()
    fill(driver, "start-day", "1")
    fill(driver, "start-month", "13")
    fill(driver, "start-year", "2027")
    click_button(driver, "Close entry for this period")
    assert driver.title.startswith("Error: ")
    section = driver.find_element(By.XPATH, "//details[summary[normalize-space()='Close entry for a period']]")
    assert section.get_attribute("open") is not None
    assert driver.find_element(By.ID, "f-start").is_displayed()
    check_both_widths(driver)
    driver.get(base_url + "/audit")
    select_option(driver, "type", "The DPS")
    click_button(driver, "Filter")
    assert "DPS created" in driver.page_source and "dps.created" not in driver.page_source
    assert driver.find_element(By.PARTIAL_LINK_TEXT, "Download these events as CSV")
    check_both_widths(driver)
    sign_out(driver, base_url)


def test_council_administrator_changes_a_role(driver, base_url):
    sign_in(driver, base_url, "admin@brighton-hove.demo", PASSWORD)
    driver.find_element(By.LINK_TEXT, "People").click()
    check_both_widths(driver)
    row = driver.find_element(By.XPATH, "//tr[td[normalize-space()='officer@brighton-hove.demo']]")
    row.find_element(By.PARTIAL_LINK_TEXT, "Change").click()
    check_both_widths(driver)
    fill(driver, "name", "Grace Hughes-Officer")
    choose_radio(driver, "role", "placement_officer")
    click_button(driver, "Save the changes")
    assert "Changes saved" in banner_text(driver)
    assert "Grace Hughes-Officer" in driver.page_source
    sign_out(driver, base_url)
