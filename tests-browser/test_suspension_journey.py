"""Issue 9 in a real browser, at desktop and 390 px with axe: the lead's contract manager suspends a membership
for every partner, the provider reads why and what lifts it and sends that evidence, and the contract manager
reads it and reinstates the membership; a referral published while it is suspended does not invite it. Then the
contract-management pages the demo fills (register watch, reviews, compliance checks, fee reviews, cost sharing, the
provider's standing) are checked at both widths."""
import datetime
import re

from selenium.webdriver.common.by import By

from helpers import (banner_text, check_both_widths, choose_radio, click_button, fill, select_option, sign_in,
                     sign_out)

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
    establishment = driver.find_element(By.TAG_NAME, "h1").text.split("\n")[-1]
    category = driver.find_element(By.CSS_SELECTOR, ".govuk-caption-l").text.replace("Membership of ", "")
    sign_out(driver, base_url)

    # A referral published while it is suspended does not invite it.
    sign_in(driver, base_url, "officer@brighton-hove.demo", PASSWORD)
    driver.get(base_url + "/referrals/new")
    select_option(driver, "category", category)
    choose_radio(driver, "kind", "spot")
    choose_radio(driver, "pattern", "residential52")
    start = datetime.date.today() + datetime.timedelta(days=30)
    fill(driver, "startDate-day", str(start.day))
    fill(driver, "startDate-month", str(start.month))
    fill(driver, "startDate-year", str(start.year))
    fill(driver, "durationWeeks", "52")
    fill(driver, "childAge", "11")
    choose_radio(driver, "childGender", "boy")
    fill(driver, "homePostcode", "BN1 1AA")
    fill(driver, "childDetails", "Test child Sam Example, born 2015-02-01, case BH-5151")
    fill(driver, "needs", "Social, emotional and mental health")
    fill(driver, "mustHaves", "Small classes")
    fill(driver, "outcomes", "Attend school every day")
    fill(driver, "radiusMiles", "150")
    deadline = datetime.datetime.now() + datetime.timedelta(days=3)
    fill(driver, "deadline-day", str(deadline.day))
    fill(driver, "deadline-month", str(deadline.month))
    fill(driver, "deadline-year", str(deadline.year))
    fill(driver, "deadline-time", "17:00")
    choose_radio(driver, "parentChoice", "no")
    click_button(driver, "Save referral")
    assert "saved as a draft" in banner_text(driver)
    reference = driver.find_element(By.TAG_NAME, "h1").text
    click_button(driver, "Publish and invite providers")
    click_button(driver, "Publish and invite providers")
    assert re.search(r"Published: \d+ establishments invited", banner_text(driver))
    sign_out(driver, base_url)
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(base_url + "/provider/invitations")
    rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert not [r for r in rows if reference in r and establishment in r], rows
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


def test_contract_management_pages_at_both_widths(driver, base_url):
    sign_in(driver, base_url, "contracts@westsussex.demo", PASSWORD)
    for path, heading in [
        ("/register-watch", "Register watch"), ("/reviews", "Coordinated reviews"),
        ("/compliance", "Compliance checks"), ("/fee-reviews", "Annual fee reviews"), ("/cost-sharing", "Cost sharing"),
    ]:
        driver.get(base_url + path)
        assert heading in driver.find_element(By.TAG_NAME, "h1").text, path
        check_both_widths(driver)
    # The demo's inadequate Kent home, suspended by the watch; the review opened by three concerns.
    driver.get(base_url + "/register-watch")
    assert "Inspection below the threshold: suspended" in driver.page_source
    driver.find_element(By.CSS_SELECTOR, "a[href^='/register-watch/']").click()
    check_both_widths(driver)
    driver.get(base_url + "/reviews")
    # Two reviews: the one three concerns opened, and the one the inadequate inspection opened.
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert any("Ofsted judged" in r.text for r in rows)
    concerns = [r for r in rows if "3 or more concerns" in r.text][0]
    concerns.find_element(By.CSS_SELECTOR, "a[href^='/reviews/']").click()
    assert "Done: Report received" in driver.page_source and "Timetables show one therapy session" in driver.page_source
    check_both_widths(driver)
    driver.get(base_url + "/compliance")
    driver.find_element(By.CSS_SELECTOR, "a[href^='/compliance/']").click()
    assert "Confirmed: 1" in driver.page_source
    check_both_widths(driver)
    driver.get(base_url + "/fee-reviews")
    driver.find_element(By.CSS_SELECTOR, "a[href^='/fee-reviews/']").click()
    assert "Countered" in driver.page_source
    check_both_widths(driver)
    sign_out(driver, base_url)
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(base_url + "/provider/standing")
    assert "Our standing on the DPS" in driver.page_source and "Fee reviews" in driver.page_source
    check_both_widths(driver)
    sign_out(driver, base_url)
