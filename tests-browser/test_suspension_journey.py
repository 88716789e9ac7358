"""Issue 9 in a real browser, at desktop and 390 px with axe: the lead's contract manager suspends a membership
for every partner, the provider reads why and what lifts it and sends that evidence, and the contract manager
reads it and reinstates the membership."""
from selenium.webdriver.common.by import By

from helpers import banner_text, check_both_widths, choose_radio, click_button, fill, sign_in, sign_out

PASSWORD = "demo-password-2026"


def test_contract_manager_suspends_and_reinstates(driver, base_url):
    # One of the demo provider's own active memberships.
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(base_url + "/memberships?state=active")
    links = driver.find_elements(By.CSS_SELECTOR, "a[href^='/memberships/']")
    assert links, "the demo provider has no active membership"
    membership = links[0].get_attribute("href")
    sign_out(driver, base_url)

    sign_in(driver, base_url, "contracts@westsussex.demo", PASSWORD)
    driver.get(membership)
    check_both_widths(driver)
    driver.find_element(By.XPATH, "//summary[normalize-space()='Suspend for every partner']").click()
    # Without a reason: refused by name, the section stays open.
    click_button(driver, "Suspend")
    assert driver.title.startswith("Error: ")
    assert driver.find_element(By.ID, "f-reason").is_displayed()
    choose_radio(driver, "reason", "insurance")
    fill(driver, "detail", "The public liability insurance certificate expired last week.")
    click_button(driver, "Suspend")
    assert "Suspended: 1 membership" in banner_text(driver)
    assert "Insurance lapsed" in driver.page_source
    check_both_widths(driver)
    sign_out(driver, base_url)

    # The provider reads why, and the only evidence that lifts it.
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(membership)
    assert "Suspended for every partner: Insurance lapsed" in driver.page_source
    assert "only this evidence: a current certificate" in driver.page_source
    assert "Suspend for every partner" not in driver.find_element(By.TAG_NAME, "main").text.split("History")[1]
    check_both_widths(driver)
    # It answers with that evidence alone: a statement and one document.
    path = "/tmp/dps-browser-insurance.pdf"
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.4 renewed certificate")
    fill(driver, "statement", "Our renewed public liability certificate, valid to November 2027.")
    driver.find_element(By.CSS_SELECTOR, "input[type=file][name=evidence]").send_keys(path)
    click_button(driver, "Send the evidence")
    assert "Evidence sent" in banner_text(driver)
    sign_out(driver, base_url)

    sign_in(driver, base_url, "contracts@westsussex.demo", PASSWORD)
    driver.get(membership)
    assert "Evidence sent by the provider" in driver.page_source and "dps-browser-insurance.pdf" in driver.page_source
    driver.find_element(By.XPATH, "//summary[normalize-space()='Reinstate']").click()
    fill(driver, "reinstateReason", "A current certificate to 30 November 2027 was received.")
    click_button(driver, "Reinstate")
    assert "Reinstated" in banner_text(driver)
    assert "Reinstated" in driver.page_source and "Suspended" in driver.page_source  # both in the history
    sign_out(driver, base_url)
