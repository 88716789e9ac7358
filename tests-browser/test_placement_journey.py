"""Issue 10 in a real browser, at desktop and 390 px with axe: the provider records an outcome review and the placing
authority agrees; the officer ends the placement unplanned with a reason and the contract manager finds it among
the unplanned endings; the publication calendar; the public page shows the quarter's awards, with no child's
details."""
import datetime
import re

from selenium.webdriver.common.by import By

from helpers import banner_text, check_both_widths, choose_radio, click_button, fill, sign_in, sign_out

PASSWORD = "demo-password-2026"


def open_details(driver, summary):
    driver.find_element(By.XPATH, f"//summary[normalize-space()='{summary}']").click()


def test_review_agreed_then_unplanned_ending(driver, base_url):
    # The provider finds a placement whose review is waiting for it.
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(base_url + "/placements?status=active")
    check_both_widths(driver)
    record = None
    links = driver.find_elements(By.CSS_SELECTOR, "tbody a[href^='/placements/']")
    for link in [a.get_attribute("href") for a in links]:
        driver.get(link)
        found = driver.find_elements(By.LINK_TEXT, "Record progress")
        if found:
            placement, record = link, found[0].get_attribute("href")
            break
    assert record, "no demo placement has a review open for the provider"
    driver.get(record)
    check_both_widths(driver)
    # Nothing chosen: refused by name.
    click_button(driver, "Record the review")
    assert driver.title.startswith("Error: ")
    assert "Choose the progress on outcome 1" in driver.page_source
    choose_radio(driver, "rating0", "good_progress")
    fill(driver, "comment0", "Attendance 96% this half term; late twice.")
    choose_radio(driver, "rating1", "some_progress")
    fill(driver, "comment1", "Two video calls with his sister and one visit.")
    click_button(driver, "Record the review")
    assert "Review recorded" in banner_text(driver)
    assert "Waiting for the placing authority" in driver.page_source
    sign_out(driver, base_url)

    # The placing authority agrees.
    sign_in(driver, base_url, "officer@brighton-hove.demo", PASSWORD)
    driver.get(placement)
    # The review waiting for an answer is linked from its row; nothing is chosen for the officer.
    driver.find_element(By.LINK_TEXT, "Answer it").click()
    check_both_widths(driver)
    click_button(driver, "Send your answer")
    assert "Choose whether you agree" in driver.page_source
    choose_radio(driver, "agree", "yes")
    click_button(driver, "Send your answer")
    assert "Answer sent" in banner_text(driver)
    assert "Completed: agreed" in driver.page_source
    assert "Attendance 96% this half term" in driver.page_source

    # ...and ends it unplanned: what happened is needed.
    open_details(driver, "Record the end of this placement")
    choose_radio(driver, "endReason", "broke_down")
    today = datetime.date.today()
    fill(driver, "endedOn-day", str(today.day))
    fill(driver, "endedOn-month", str(today.month))
    fill(driver, "endedOn-year", str(today.year))
    click_button(driver, "Record the end")
    assert driver.title.startswith("Error: ")
    assert driver.find_element(By.ID, "f-endNote").is_displayed()
    fill(driver, "endNote", "The placement broke down after repeated missing episodes.")
    click_button(driver, "Record the end")
    assert "end is recorded" in banner_text(driver)
    assert "Unplanned ending: The placement broke down" in driver.page_source
    check_both_widths(driver)
    reference = re.sub(r"\s+under the .*$", "", driver.find_element(By.CSS_SELECTOR, ".govuk-caption-l").text)
    sign_out(driver, base_url)

    # The lead's contract manager sees it among the unplanned endings, without the child's details.
    sign_in(driver, base_url, "contracts@westsussex.demo", PASSWORD)
    driver.get(base_url + "/placements?ending=unplanned")
    assert reference in driver.page_source
    check_both_widths(driver)
    driver.get(placement)
    assert "Demo child" not in driver.page_source
    driver.get(base_url + "/publication")
    assert "Publication calendar" in driver.page_source and "Contract award notice" in driver.page_source
    check_both_widths(driver)
    sign_out(driver, base_url)


def test_public_page_shows_the_quarters_awards(driver, base_url):
    driver.get(base_url + "/published")
    assert "Published contracts" in driver.title
    quarter = driver.find_element(By.CSS_SELECTOR, "nav[aria-label='Quarters'] strong").text
    assert re.match(r"[A-Z][a-z]+ to [A-Z][a-z]+ \d{4} \(\d+ awards?\)", quarter), quarter
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows, "the quarter shows no awards"
    assert "Demo child" not in driver.page_source and "BH-0001" not in driver.page_source
    check_both_widths(driver)
    driver.find_element(By.XPATH, "//a[starts-with(normalize-space(), 'awards of ')]").click()
    assert '"releases"' in driver.page_source


def test_public_demand_signals(driver, base_url):
    driver.get(base_url + "/demand")
    assert "Demand for placements" in driver.title
    assert "fewer than 5" in driver.page_source  # the rule is stated, and the demo's counts are small
    assert "Demo child" not in driver.page_source and "BN1 1AA" not in driver.page_source
    check_both_widths(driver)
