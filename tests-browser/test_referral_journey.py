"""The referral journey in a real browser, with an accessibility check on each page: an officer creates
and publishes a referral; two providers bid; the officer closes it and scores; the parent chooses through
a private link; the officer awards; the providers see the agreement and their feedback.

The weights give price 70, outcomes 20 and needs 10 (no core competency, no location), and both providers
bid the same, so their totals tie and the parent chooses between them."""
import datetime
import re
import time
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By

from helpers import (axe_check, banner_text, check_box, choose_radio, click_button, fill, select_option, sign_in,
                     submit_form)

PASSWORD = "demo-password-2026"
LONDON = ZoneInfo("Europe/London")
DEADLINE_SECONDS = 75
state = {}


def test_officer_creates_and_publishes_a_referral(driver, base_url):
    sign_in(driver, base_url, "officer@brighton-hove.demo", PASSWORD)
    driver.get(base_url + "/referrals/new")
    axe_check(driver)
    select_option(driver, "category", "SEN placements in independent and non-maintained special schools")
    choose_radio(driver, "kind", "spot")
    choose_radio(driver, "pattern", "residential52")
    start = datetime.date.today() + datetime.timedelta(days=30)
    fill(driver, "startDate-day", str(start.day))
    fill(driver, "startDate-month", start.strftime("%B"))
    fill(driver, "startDate-year", str(start.year))
    fill(driver, "durationWeeks", "52")
    fill(driver, "childAge", "12")
    choose_radio(driver, "childGender", "girl")
    fill(driver, "homePostcode", "BN1 1AA")
    fill(driver, "childDetails", "Test child Ada Example, born 2014-05-01, case BH-4242")
    fill(driver, "needs", "Autism spectrum condition | 2\nSpeech and language therapy")
    fill(driver, "mustHaves", "Waking night staff")
    fill(driver, "outcomes", "Attend school every day\nMake one close friend")
    for criterion, points in {"price": 70, "coreCompetency": 0, "outcomes": 20, "needs": 10, "location": 0, "desirables": 0, "incentives": 0}.items():
        fill(driver, f"weights[{criterion}]", str(points))
    fill(driver, "radiusMiles", "150")
    deadline = datetime.datetime.now(LONDON) + datetime.timedelta(seconds=DEADLINE_SECONDS)
    state["deadline"] = deadline
    fill(driver, "deadline-day", str(deadline.day))
    fill(driver, "deadline-month", str(deadline.month))
    fill(driver, "deadline-year", str(deadline.year))
    fill(driver, "deadline-time", deadline.strftime("%H:%M:%S"))
    choose_radio(driver, "parentChoice", "yes")
    click_button(driver, "Save referral")
    assert "saved as a draft" in banner_text(driver)
    state["referral"] = driver.current_url
    state["reference"] = driver.find_element(By.TAG_NAME, "h1").text
    assert re.search(r"\d+ establishments with an active membership", driver.page_source)
    axe_check(driver)
    click_button(driver, "Publish and invite providers")
    assert "Check the referral before publishing" in driver.find_element(By.TAG_NAME, "h1").text
    axe_check(driver)
    click_button(driver, "Publish and invite providers")
    assert re.search(r"Published: \d+ establishments invited", banner_text(driver))
    assert "Bids stay sealed until the deadline" in driver.page_source


def bid(driver, base_url, email, check_errors_keep_ticks=False):
    driver.delete_all_cookies()
    sign_in(driver, base_url, email, PASSWORD)
    driver.get(base_url + "/provider/invitations")
    link = driver.find_element(By.XPATH, f"//a[normalize-space()='{state['reference']}']")
    link.click()
    axe_check(driver)
    assert "Ada" not in driver.page_source and "BN1 1AA" not in driver.page_source  # anonymised: district only
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name^='core.']"):
        box.clear()
        box.send_keys("300")
    for value in ("n1", "n2"):
        check_box(driver, "need", value)
    check_box(driver, "must", "m1")
    if check_errors_keep_ticks:
        # An error elsewhere keeps every tick (they used to be cleared, saving a bid that would not be ranked).
        fill(driver, "outcomesStatement", "")
        click_button(driver, "Submit bid")
        assert driver.title.startswith("Error: ")
        for name, value in (("need", "n1"), ("need", "n2"), ("must", "m1")):
            box = driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']")
            assert box.is_selected(), f"{name} {value} was cleared by the error"
    fill(driver, "outcomesStatement", "A key worker agrees her routine on day one; we share attendance and friendships each week.")
    click_button(driver, "Submit bid")
    assert "Bid saved" in banner_text(driver)
    assert "£2,700.00 a week" in driver.page_source


def test_two_providers_bid(driver, base_url):
    bid(driver, base_url, "provider@demo.provider", check_errors_keep_ticks=True)
    bid(driver, base_url, "provider2@demo.provider")
    # The officer sees only that bids exist.
    driver.delete_all_cookies()
    sign_in(driver, base_url, "officer@brighton-hove.demo", PASSWORD)
    driver.get(state["referral"])
    assert re.search(r"[2-9]\d* bids received", driver.page_source)
    assert "A key worker agrees her routine" not in driver.page_source


def test_officer_closes_scores_and_the_parent_chooses(driver, base_url):
    sign_in(driver, base_url, "officer@brighton-hove.demo", PASSWORD)
    wait = (state["deadline"] - datetime.datetime.now(LONDON)).total_seconds() + 2
    if wait > 0:
        time.sleep(wait)
    driver.get(state["referral"])
    close = driver.find_elements(By.XPATH, "//button[normalize-space()='Close and open the bids']")
    if close:  # the in-process job may already have closed it
        click_button(driver, "Close and open the bids")
    forms = driver.find_elements(By.XPATH, "//form[contains(@action, '/score/')]")
    assert len(forms) >= 2
    for index in range(len(forms)):
        form = driver.find_elements(By.XPATH, "//form[contains(@action, '/score/')]")[index]
        form.find_element(By.CSS_SELECTOR, "input[name=score][value='4']").click()
        form.find_element(By.NAME, "comment").send_keys("Clear, specific plan.")
        submit_form(driver, form, "Save score")
        assert "Score saved" in banner_text(driver)
    assert "(shortlist)" in driver.page_source
    axe_check(driver)
    click_button(driver, "Create the parent's private link")
    link = driver.find_element(By.CSS_SELECTOR, ".govuk-notification-banner code").text
    assert "/choice/" in link

    driver.delete_all_cookies()
    driver.get(base_url + link[link.index("/choice/"):])
    assert "Choose the setting you prefer" in driver.page_source
    assert "£" not in driver.find_element(By.TAG_NAME, "main").text  # no provider's costs
    axe_check(driver)
    options = driver.find_elements(By.CSS_SELECTOR, "input[name=choice]")
    assert len(options) >= 2
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{options[1].get_attribute('id')}']").text
    state["chosen"] = label
    options[1].click()
    fill(driver, "reason", "Her cousin goes there.")
    click_button(driver, "Send my choice")
    assert "We have your choice" in banner_text(driver)
    axe_check(driver)


def test_officer_awards_and_providers_see_the_agreement_and_feedback(driver, base_url):
    sign_in(driver, base_url, "officer@brighton-hove.demo", PASSWORD)
    driver.get(state["referral"])
    click_button(driver, "Award to the parent's preference")
    assert state["chosen"] in driver.find_element(By.CSS_SELECTOR, ".govuk-summary-list").text
    click_button(driver, "Award")
    assert "Individual Placement Agreement" in driver.page_source
    assert state["chosen"] in driver.page_source
    axe_check(driver)
    click_button(driver, "Accept the agreement")
    assert "Agreement accepted" in banner_text(driver)

    outcomes = {}
    for email in ("provider@demo.provider", "provider2@demo.provider"):
        driver.delete_all_cookies()
        sign_in(driver, base_url, email, PASSWORD)
        driver.get(base_url + "/provider/invitations")
        row = driver.find_element(By.XPATH, f"//tr[.//a[normalize-space()='{state['reference']}']][.//strong[contains(@class, 'govuk-tag') and (contains(., 'Awarded') or contains(., 'Not awarded'))]]")
        outcomes[email] = row.text
        if "Awarded to you" in row.text:
            row.find_element(By.XPATH, f".//a[normalize-space()='{state['reference']}']").click()
            driver.find_element(By.XPATH, "//a[normalize-space()='Review and accept the placement agreement']").click()
            assert "Ada Example" in driver.page_source  # full details released to the awarded provider only
            axe_check(driver)
            click_button(driver, "Accept the agreement")
            assert "Agreement accepted" in banner_text(driver)
        else:
            row.find_element(By.XPATH, f".//a[normalize-space()='{state['reference']}']").click()
            assert "Your result" in driver.page_source and "Top score" in driver.page_source
            assert "Ada" not in driver.page_source
            axe_check(driver)
    assert sum("Awarded to you" in text for text in outcomes.values()) == 1
