"""Fixtures for the browser tests (run them with scripts/browser-test).

- driver:   one headless Chromium (Debian's chromium + chromium-driver) for the whole session.
            Cookies are cleared after every test, so each test starts signed out.
- base_url: the served app, from DPS_BASE_URL (no trailing slash).
A failing test leaves a screenshot and the page source in $DPS_BROWSER_ARTIFACTS.
"""
import os
import re

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def base_url():
    url = os.environ.get("DPS_BASE_URL")
    if not url:
        pytest.exit("DPS_BASE_URL is not set: run scripts/browser-test", returncode=2)
    return url.rstrip("/")


@pytest.fixture(scope="session")
def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--lang=en-GB"):
        options.add_argument(arg)
    # Explicit driver path: Selenium Manager never tries to download anything.
    drv = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    drv.set_page_load_timeout(30)
    drv.set_script_timeout(60)
    yield drv
    drv.quit()


@pytest.fixture(autouse=True)
def _fresh_cookies(request):
    yield
    if "driver" in request.fixturenames:
        drv = request.getfixturevalue("driver")
        try:
            drv.delete_all_cookies()
        except Exception:
            pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, save a screenshot and the page source, and say where."""
    outcome = yield
    report = outcome.get_result()
    drv = item.funcargs.get("driver") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or drv is None:
        return
    folder = os.environ.get("DPS_BROWSER_ARTIFACTS", "/tmp/dps-browser-artifacts")
    os.makedirs(folder, exist_ok=True)
    stem = os.path.join(folder, re.sub(r"[^\w.-]+", "_", item.nodeid))
    try:
        drv.save_screenshot(stem + ".png")
        with open(stem + ".html", "w", encoding="utf-8") as f:
            f.write(drv.page_source)
        report.sections.append(("browser", f"url: {drv.current_url}\nsaved: {stem}.png, {stem}.html"))
    except Exception as e:  # the browser itself may be gone
        report.sections.append(("browser", f"could not save artifacts: {e}"))
