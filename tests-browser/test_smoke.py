"""Smoke test: the served app answers, its home page has a heading and passes axe."""
import urllib.request

from selenium.webdriver.common.by import By

from helpers import axe_check


def test_healthz(base_url):
    with urllib.request.urlopen(base_url + "/healthz", timeout=10) as response:
        assert response.status == 200


def test_home_page(driver, base_url):
    driver.get(base_url + "/")
    headings = driver.find_elements(By.TAG_NAME, "h1")
    assert headings and headings[0].text.strip(), "the home page has no <h1> with text"
    axe_check(driver)
