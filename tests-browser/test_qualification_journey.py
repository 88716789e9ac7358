"""The qualification journey in a real browser, with an accessibility check on every page it visits:
an administrator defines a category; a provider applies for two categories; an evaluator (with the young
people's panel) admits one and refuses the other; the provider sees both decisions.

Runs against the served demo (scripts/browser-test). The tests run in file order and share state."""
import re

from selenium.webdriver.common.by import By

from helpers import (axe_check, banner_text, check_box, choose_radio, click_button, fill, select_option, sign_in,
                     submit_form)

PASSWORD = "demo-password-2026"
state = {}


def open_details(driver, summary_text):
    """Opens the <details> whose summary reads `summary_text` (the page works without JavaScript;
    a person clicks the summary)."""
    summary = driver.find_element(By.XPATH, f"//summary[normalize-space()='{summary_text}']")
    if summary.find_element(By.XPATH, "..").get_attribute("open") is None:
        summary.click()


def form_with_hidden(driver, name, value):
    """The "add" <form> holding a hidden input name=value (pages with one small form per item)."""
    return driver.find_element(By.XPATH, f"//form[substring(@action, string-length(@action) - 5) = '/items']"
                                         f"[.//input[@type='hidden' and @name='{name}' and @value='{value}']]")


def test_sign_in_shows_each_role_its_home(driver, base_url):
    # Staff and providers land on their dashboard (issue 11); evaluators on the applications they score.
    for email, heading in [("admin@westsussex.demo", "Dashboard"), ("evaluator@westsussex.demo", "Applications to assess"),
                           ("provider@demo.provider", "Dashboard"), ("officer@brighton-hove.demo", "Dashboard")]:
        driver.delete_all_cookies()
        sign_in(driver, base_url, email, PASSWORD)
        assert heading in driver.find_element(By.TAG_NAME, "h1").text
        axe_check(driver)


def test_wrong_password_is_explained(driver, base_url):
    sign_in(driver, base_url, "admin@westsussex.demo", "not the password")
    summary = driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    assert "not right" in summary.text
    axe_check(driver)


def test_administrator_defines_a_category(driver, base_url):
    sign_in(driver, base_url, "admin@westsussex.demo", PASSWORD)
    driver.get(base_url + "/admin/dps")
    open_details(driver, "Add a category")
    form = driver.find_element(By.XPATH, "//form[contains(@action, '/categories')]")
    form.find_element(By.NAME, "name").send_keys("Short breaks")
    form.find_element(By.NAME, "contractName").send_keys("National Residential Contract")
    submit_form(driver, form, "Add category")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Short breaks"
    assert "cannot apply" in driver.page_source
    axe_check(driver)

    open_details(driver, "Add a pass/fail question")
    form = form_with_hidden(driver, "kind", "passFail")
    form.find_element(By.NAME, "text").send_keys("Does the home hold current public liability insurance?")
    form.find_element(By.CSS_SELECTOR, "input[name=requiresEvidence]").click()
    form.find_element(By.CSS_SELECTOR, "input[name=evidenceExpires][value=flag]").click()
    submit_form(driver, form, "Add question")
    assert "the contract managers are told when it lapses" in driver.page_source
    open_details(driver, "Add a method statement")
    form = form_with_hidden(driver, "kind", "statement")
    form.find_element(By.NAME, "title").send_keys("Planning a short break")
    form.find_element(By.NAME, "weight").send_keys("90")
    submit_form(driver, form, "Add statement")
    assert "add up to 100" in driver.page_source  # 90 is not 100 yet
    open_details(driver, "Add a method statement")
    form = form_with_hidden(driver, "kind", "statement")
    form.find_element(By.NAME, "title").send_keys("What a young person would enjoy")
    form.find_element(By.NAME, "weight").send_keys("10")
    form.find_element(By.CSS_SELECTOR, "input[name=youngPeoplesPanel]").click()
    submit_form(driver, form, "Add statement")
    open_details(driver, "Add a core cost line")
    form = form_with_hidden(driver, "kind", "costLine")
    form.find_element(By.NAME, "name").send_keys("Care staffing per night")
    submit_form(driver, form, "Add cost line")

    # A bound outside §7 is refused with a linked error.
    fill(driver, "bounds.price.max", "80")
    click_button(driver, "Save settings")
    summary = driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    assert "price must stay between 30 and 70" in summary.text.lower()
    fill(driver, "bounds.price.max", "70")
    fill(driver, "affordabilityCap", "3000")
    click_button(driver, "Save settings")
    assert "open for applications" in driver.page_source
    axe_check(driver)


def test_provider_applies_for_two_categories(driver, base_url):
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(base_url + "/provider/establishments/new")
    fill(driver, "name", "Oakwood Learning Centre")
    choose_radio(driver, "type", "school")
    fill(driver, "address", "12 Church Road")
    fill(driver, "town", "Horsham")
    fill(driver, "postcode", "RH12 1XH")
    fill(driver, "ageLow", "7")
    fill(driver, "ageHigh", "16")
    choose_radio(driver, "genders", "mixed")
    fill(driver, "capacity", "24")
    select_option(driver, "inspectorate", "isi")
    fill(driver, "judgement", "Standards met")
    # A whole date typed into the day box of the date input is read as that date.
    fill(driver, "judgementDate-day", "12/03/2025")
    axe_check(driver)
    click_button(driver, "Add establishment")
    assert "Oakwood Learning Centre" in driver.page_source

    driver.get(base_url + "/provider/applications")
    select_option(driver, "establishment", "Oakwood Learning Centre")
    check_box(driver, "categories[]", driver.find_element(By.XPATH, "//label[contains(., 'SEN placements')]/preceding-sibling::input").get_attribute("value"))
    check_box(driver, "categories[]", driver.find_element(By.XPATH, "//label[normalize-space()='Alternative education']/preceding-sibling::input").get_attribute("value"))
    click_button(driver, "Start application")
    state["application"] = driver.current_url
    assert "/provider/applications/" in driver.current_url

    # Submitting an incomplete application names every missing answer.
    click_button(driver, "Submit application")
    summary = driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    assert "Answer yes or no" in summary.text
    axe_check(driver)

    for radio in driver.find_elements(By.CSS_SELECTOR, "input[type=radio][value=yes]"):
        if radio.get_attribute("name").startswith("answers."):
            radio.click()
    for area in driver.find_elements(By.CSS_SELECTOR, "textarea[name^='statements.']"):
        area.clear()
        area.send_keys("We describe our approach, the evidence we keep, and how children take part.")
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name^='costs.']"):
        box.clear()
        box.send_keys("400")
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name^='discounts.']"):
        box.clear()
        box.send_keys("5")
    click_button(driver, "Save draft")
    assert "Draft saved" in banner_text(driver)

    # Evidence: one upload per question that asks for it. Each Upload button sends the whole application form, so
    # an answer typed and not saved is saved with the upload, never lost (it used to be).
    area = driver.find_elements(By.CSS_SELECTOR, "textarea[name^='statements.']")[0]
    area_name = area.get_attribute("name")
    typed = "Typed just before uploading and never saved on its own: we review each plan every month."
    area.clear()
    area.send_keys(typed)
    cards = "//div[contains(@class, 'dps-card')][.//button[contains(@formaction, '/evidence/')]]"
    count = len(driver.find_elements(By.XPATH, cards))
    assert count > 0
    path = "/tmp/dps-browser-evidence.txt"
    with open(path, "w") as handle:
        handle.write("Certificate\n")
    for index in range(count):
        card = driver.find_elements(By.XPATH, cards)[index]
        card.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(path)
        expiry = card.find_elements(By.CSS_SELECTOR, "input[name^='expiresOn.']")
        if expiry:
            for box, value in zip(expiry, ["30", "9", "2027"]):
                box.send_keys(value)
        submit_form(driver, card, "Upload and save answers")
        assert "Answers saved and document uploaded" in banner_text(driver)
    assert driver.find_element(By.NAME, area_name).get_attribute("value") == typed
    click_button(driver, "Submit application")
    # Check your answers, then submit (it cannot be undone).
    assert "Check your answers before submitting" in driver.find_element(By.TAG_NAME, "h1").text
    axe_check(driver)
    click_button(driver, "Submit the application")
    assert "Application submitted" in banner_text(driver)
    assert "Submitted" in driver.page_source
    axe_check(driver)


def test_evaluator_admits_one_and_refuses_the_other(driver, base_url):
    application_id = state["application"].rsplit("/", 1)[1]
    for email in ("evaluator@westsussex.demo", "panel@westsussex.demo"):
        driver.delete_all_cookies()
        sign_in(driver, base_url, email, PASSWORD)
        driver.get(f"{base_url}/assessment/{application_id}")
        axe_check(driver)
        count = len(driver.find_elements(By.XPATH, "//form[contains(@action, '/score/')]"))
        # Evaluators score 3 statements in each of the 2 categories; the panel its 1 question in each.
        assert count == (6 if email.startswith("evaluator") else 2), f"{email} sees {count} statements to score"
        for index in range(count):
            form = driver.find_elements(By.XPATH, "//form[contains(@action, '/score/')]")[index]
            form.find_element(By.CSS_SELECTOR, "input[name=score][value='4']").click()
            form.find_element(By.NAME, "comment").send_keys("Clear, evidenced practice.")
            form.find_element(By.CSS_SELECTOR, "input[name=consensus]").click()
            submit_form(driver, form, "Save score")
            assert "Score saved" in banner_text(driver)

    driver.delete_all_cookies()
    sign_in(driver, base_url, "evaluator@westsussex.demo", PASSWORD)
    driver.get(f"{base_url}/assessment/{application_id}")
    decide_forms = driver.find_elements(By.XPATH, "//form[contains(@action, '/decide/')]")
    assert len(decide_forms) == 2
    sen_decision = "//form[contains(@action, '/decide/') and .//legend[contains(., 'SEN placements')]]"
    # Admitting with the pass/fail answers not reviewed is refused, by the decision's field.
    sen = driver.find_element(By.XPATH, sen_decision)
    sen.find_element(By.CSS_SELECTOR, "input[name=decision][value=admit]").click()
    submit_form(driver, sen, "Record decision")
    assert "There is a problem" in driver.page_source
    assert "Review every pass/fail answer" in driver.page_source
    # The evaluator passes each of the category's pass/fail answers, then admits.
    reviews = "//section[.//h2[contains(., 'SEN placements')]]//form[contains(@action, '/review/')]"
    count = len(driver.find_elements(By.XPATH, reviews))
    assert count > 0
    for index in range(count):
        form = driver.find_elements(By.XPATH, reviews)[index]
        form.find_element(By.CSS_SELECTOR, "input[name=outcome][value=pass]").click()
        submit_form(driver, form, "Save review")
        assert "There is a problem" not in driver.page_source
    sen = driver.find_element(By.XPATH, sen_decision)
    sen.find_element(By.CSS_SELECTOR, "input[name=decision][value=admit]").click()
    submit_form(driver, sen, "Record decision")
    # The decision cannot be undone: the page says what happens and asks to confirm.
    assert "This cannot be undone" in driver.page_source
    axe_check(driver)
    click_button(driver, "Admit")
    assert "Decision recorded" in banner_text(driver)
    alt = driver.find_element(By.XPATH, "//form[contains(@action, '/decide/') and .//legend[contains(., 'Alternative education')]]")
    alt.find_element(By.CSS_SELECTOR, "input[name=decision][value=refuse]").click()
    submit_form(driver, alt, "Record decision")
    assert "There is a problem" in driver.page_source  # a refusal needs reasons
    alt = driver.find_element(By.XPATH, "//form[contains(@action, '/decide/') and .//legend[contains(., 'Alternative education')]]")
    alt.find_element(By.CSS_SELECTOR, "input[name=decision][value=refuse]").click()
    alt.find_element(By.NAME, "reason").send_keys("The setting's curriculum does not cover the required core subjects.")
    submit_form(driver, alt, "Record decision")
    assert "curriculum does not cover" in driver.page_source
    click_button(driver, "Refuse")
    assert "Decision recorded" in banner_text(driver)
    axe_check(driver)


def test_provider_sees_both_decisions_and_messages(driver, base_url):
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.get(state["application"])
    text = banner_text(driver)
    assert "SEN placements in independent and non-maintained special schools: admitted" in text
    assert "Alternative education: not admitted" in text
    assert "core subjects" in text
    axe_check(driver)
    driver.get(base_url + "/messages")
    assert re.search(r"Qualification score \d+\.\d\d out of 100", driver.page_source)
    axe_check(driver)
