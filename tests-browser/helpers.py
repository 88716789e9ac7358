"""Helpers for the browser tests: signing in and out, filling forms, and axe-core checks."""
import importlib.util
import json
import os
import time

from selenium.common.exceptions import (ElementClickInterceptedException,
                                        ElementNotInteractableException,
                                        NoSuchElementException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def _css_str(s):
    """A CSS string literal (for names like items[0][qty])."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _xpath_str(s):
    """An XPath string literal, whatever quotes s holds."""
    if "'" not in s:
        return f"'{s}'"
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in s.split("'")) + ")"


def _click(driver, element):
    try:
        element.click()
    except (ElementClickInterceptedException, ElementNotInteractableException):
        driver.execute_script("arguments[0].click()", element)  # e.g. a visually hidden styled input


def find_button(driver, text):
    """The <button> or submit <input> whose visible text (or value) is `text`."""
    t = _xpath_str(text)
    found = driver.find_elements(
        By.XPATH, f"//button[normalize-space()={t}] | //input[(@type='submit' or @type='button') and @value={t}]")
    visible = [e for e in found if e.is_displayed()] or found
    if not visible:
        raise NoSuchElementException(f"no button with text {text!r} on {driver.current_url}")
    return visible[0]


def is_stale(element):
    """True once `element` belongs to a page that has gone. Chromium reports this either as a stale
    element or, mid-navigation, as "Node with given id does not belong to the document"."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


def click_button(driver, text, wait_for_new_page=True, timeout=15):
    """Clicks the button with this text; by default waits until a new page has loaded."""
    button = find_button(driver, text)
    old = driver.find_element(By.TAG_NAME, "html")
    _click(driver, button)
    if wait_for_new_page:
        try:
            WebDriverWait(driver, timeout).until(lambda d: is_stale(old))
            WebDriverWait(driver, timeout).until(
                lambda d: d.execute_script("return document.readyState") == "complete")
        except TimeoutException:
            raise AssertionError(f"clicking {text!r} loaded no new page within {timeout} s "
                                 f"(still at {driver.current_url})") from None


def field(driver, name):
    """The first input, textarea or select with this name."""
    n = _css_str(name)
    found = driver.find_elements(By.CSS_SELECTOR, f"input[name={n}], textarea[name={n}], select[name={n}]")
    if not found:
        raise NoSuchElementException(f"no field named {name!r} on {driver.current_url}")
    return found[0]


def fill(driver, name, value):
    """Types `value` into the input or textarea with this name, replacing what was there."""
    el = field(driver, name)
    kind = (el.get_attribute("type") or "").lower()
    if kind in ("date", "datetime-local", "time", "month", "week", "color", "range"):
        # Typing into these depends on the browser's locale: set the value the way a picker would.
        driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", el, str(value))
    else:
        el.clear()
        el.send_keys(str(value))


def choose_radio(driver, name, value):
    """Selects the radio button with this name and value."""
    els = driver.find_elements(
        By.CSS_SELECTOR, f"input[type=radio][name={_css_str(name)}][value={_css_str(value)}]")
    if not els:
        raise NoSuchElementException(f"no radio {name}={value!r} on {driver.current_url}")
    if not els[0].is_selected():
        _click(driver, els[0])


def check_box(driver, name, value=None, checked=True):
    """Ticks (or with checked=False, clears) the checkbox with this name (and value, if given)."""
    sel = f"input[type=checkbox][name={_css_str(name)}]"
    if value is not None:
        sel += f"[value={_css_str(value)}]"
    els = driver.find_elements(By.CSS_SELECTOR, sel)
    if not els:
        raise NoSuchElementException(f"no checkbox {name}={value!r} on {driver.current_url}")
    if els[0].is_selected() != checked:
        _click(driver, els[0])


def select_option(driver, name, value_or_text):
    """Picks the option of the <select> with this name, by its value or else its visible text."""
    select = Select(field(driver, name))
    try:
        select.select_by_value(str(value_or_text))
    except NoSuchElementException:
        select.select_by_visible_text(str(value_or_text))


def sign_in(driver, base_url, email, password):
    """Signs in through the form at /sign-in (fields `email` and `password`, button "Sign in")."""
    driver.get(base_url + "/sign-in")
    fill(driver, "email", email)
    fill(driver, "password", password)
    click_button(driver, "Sign in")


def sign_out(driver, base_url):
    """Signs out by clicking the "Sign out" button (a form posting to /sign-out)."""
    if not driver.find_elements(By.XPATH, "//button[normalize-space()='Sign out']"):
        driver.get(base_url + "/")
    click_button(driver, "Sign out")


# --- axe-core, from the PyPI package axe-playwright-python (found without importing playwright).
_AXE_SOURCE = None


def axe_source():
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        spec = importlib.util.find_spec("axe_playwright_python")
        if spec is None:
            raise RuntimeError("axe-playwright-python is not installed: run scripts/install-deps")
        with open(os.path.join(spec.submodule_search_locations[0], "axe.min.js"), encoding="utf-8") as f:
            _AXE_SOURCE = f.read()
    return _AXE_SOURCE


def axe_run(driver, options=None):
    """Runs axe-core on the current page; returns its violations (a list of dicts)."""
    # WebDriver's scripts are not subject to the page's Content-Security-Policy.
    driver.execute_script(axe_source())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0])"
        "  .then(r => done({violations: r.violations}))"
        "  .catch(e => done({error: String(e)}));",
        options or {"resultTypes": ["violations"]})
    if "error" in result:
        raise RuntimeError(f"axe.run failed on {driver.current_url}: {result['error']}")
    return result["violations"]


def axe_check(driver, impacts=("serious", "critical"), options=None):
    """Fails listing every axe violation of these impacts on the current page."""
    bad = [v for v in axe_run(driver, options) if v.get("impact") in impacts]
    if bad:
        lines = [f"{len(bad)} accessibility violation(s) on {driver.current_url}:"]
        for v in bad:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
            for node in v["nodes"]:
                lines.append(f"    at {json.dumps(node['target'])}")
        raise AssertionError("\n".join(lines))


def check_both_widths(driver):
    """axe finds no serious or critical violations at desktop width and at 390 px, where nothing is wider than
    the screen."""
    axe_check(driver)
    driver.set_window_size(390, 900)
    try:
        axe_check(driver)
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    finally:
        driver.set_window_size(1280, 1000)


def banner_text(driver):
    """The text of every notification banner on the page (success messages and the like)."""
    return " ".join(b.text for b in driver.find_elements(By.CSS_SELECTOR, ".govuk-notification-banner"))


def submit_form(driver, form, text, timeout=15):
    """Clicks the button reading `text` inside this form (pages with many small forms) and waits for the
    next page."""
    old = driver.find_element(By.TAG_NAME, "html")
    form.find_element(By.XPATH, f".//button[normalize-space()={_xpath_str(text)}]").click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_stale(old) and driver.execute_script("return document.readyState") == "complete":
            return
        time.sleep(0.1)
    raise AssertionError(f"submitting {text!r} loaded no new page within {timeout} s")
