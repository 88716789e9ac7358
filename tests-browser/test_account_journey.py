"""Accounts by e-mail, in a real browser: a provider administrator invites a colleague, who chooses a password
from the e-mail received by the loopback SMTP server (aiosmtpd, started by scripts/browser-test), then forgets
it and resets it from a second e-mail. axe finds no serious or critical violations at desktop and 390 px."""
import base64
import email
import os
import re
import time
import uuid

from selenium.webdriver.common.by import By

from helpers import check_both_widths, choose_radio, click_button, fill, sign_in, sign_out

PASSWORD = "demo-password-2026"


def mail_link(address, after, timeout=30):
    """The link to a password page in the newest e-mail to `address` received after `after`."""
    folder = os.path.join(os.environ["DPS_MAILDIR"], "new")
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = []
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name)
            if os.path.getmtime(path) < after:
                continue
            with open(path, "rb") as f:
                message = email.message_from_bytes(f.read())
            if message["To"] == address:
                body = base64.b64decode(message.get_payload()).decode("utf-8")
                match = re.search(r"https?://\S+/password/[A-Za-z0-9_-]+", body)
                if match:
                    found.append((os.path.getmtime(path), match.group(0)))
        if found:
            return max(found)[1]
        time.sleep(0.5)
    raise AssertionError(f"no e-mail with a password link reached {address} within {timeout} s")


def test_invite_a_colleague_and_reset_a_password(driver, base_url):
    colleague = f"writer-{uuid.uuid4().hex[:8]}@demo.provider"
    sign_in(driver, base_url, "provider@demo.provider", PASSWORD)
    driver.find_element(By.LINK_TEXT, "People").click()
    check_both_widths(driver)
    # An error first: the title says so and the summary links to the field.
    click_button(driver, "Send the invitation")
    assert driver.title.startswith("Error: ")
    started = time.time() - 1
    fill(driver, "name", "Robin Writer")
    fill(driver, "email", colleague)
    choose_radio(driver, "role", "bid_writer")
    click_button(driver, "Send the invitation")
    assert "Invitation sent" in driver.page_source
    sign_out(driver, base_url)

    # The colleague opens the invitation from the e-mail and chooses a password: signed in at once.
    driver.get(mail_link(colleague, started))
    assert "Choose your password" in driver.find_element(By.TAG_NAME, "h1").text
    check_both_widths(driver)
    fill(driver, "password", "robin's first long password")
    fill(driver, "confirmation", "robin's first long password")
    click_button(driver, "Save the password")
    assert "signed in" in driver.page_source
    sign_out(driver, base_url)

    # Forgotten: from the sign-in page, a reset link by e-mail, used once.
    driver.get(base_url + "/sign-in")
    driver.find_element(By.LINK_TEXT, "Forgotten your password?").click()
    check_both_widths(driver)
    started = time.time() - 1
    fill(driver, "email", colleague)
    click_button(driver, "Send the link")
    assert "Check your email" in driver.find_element(By.TAG_NAME, "h1").text
    link = mail_link(colleague, started)
    driver.get(link)
    fill(driver, "password", "robin's second long password")
    fill(driver, "confirmation", "robin's second long password")
    click_button(driver, "Save the password")
    assert "signed in" in driver.page_source
    sign_out(driver, base_url)
    driver.get(link)
    assert "expired or has been used" in driver.find_element(By.TAG_NAME, "h1").text
    sign_in(driver, base_url, colleague, "robin's second long password")
    assert driver.find_elements(By.XPATH, "//button[normalize-space()='Sign out']")
