"""What every app's browser tests share: signing in, waiting for a navigation, the searchable picker, and the
layout checks (no button or badge wraps, a proposal number on one line, phone cards keep their labels) with
the page problems a test collects (script errors, CSP violations, 4xx/5xx)."""

import re

from playwright.sync_api import expect

PASSWORD = "correct-horse-42"

# Visible buttons, badges, states and flags whose content is more than one line high (1.6 × line height).
WRAPPED = """() => Array.from(document.querySelectorAll('button, .button, .badge, .state, .flag'))
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => {
    const cs = getComputedStyle(el);
    const line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.2;
    const frame = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth']
      .reduce((sum, key) => sum + (parseFloat(cs[key]) || 0), 0);
    return {text: el.innerText, content: el.getBoundingClientRect().height - frame, line};
  })
  .filter(b => b.content > 1.6 * b.line)"""

ONE_LINE = """el => { const cs = getComputedStyle(el);
  const line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.2;
  return el.getBoundingClientRect().height <= 1.6 * line; }"""

# Phone cards: the visible value cells of list tables (not the cells of controls: a checkbox, a form, a button)
# that show no label before their value.
UNLABELLED = """() => Array.from(document.querySelectorAll('table.list tbody td'))
  .filter(td => td.getClientRects().length && !td.classList.contains('empty') && td.innerText.trim())
  .filter(td => !td.querySelector('form, button, input'))
  .filter(td => !td.dataset.label || getComputedStyle(td, '::before').content === 'none')
  .map(td => td.innerText.trim().slice(0, 40))"""

PHONE_WIDTH = 720  # app.css turns list rows into cards below this width


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)






def pick(page, field, typed):
    """Open the picker of `field`, type `typed` and take the first option offered."""
    wrapper = page.locator(f"select[name={field}] + .ts-wrapper")
    wrapper.locator(".ts-control").click()
    expect(wrapper).to_have_class(re.compile(r"\bdropdown-active\b"))  # opened and focused: typing reaches it
    wrapper.locator(".ts-control input").press_sequentially(typed)
    options = page.locator(".ts-dropdown:visible .option")
    expect(options).to_have_count(1)  # the search leaves the one unit it names
    option = options.first
    text = option.inner_text()
    option.click()
    page.keyboard.press("Escape")
    return text


def collect_problems(page) -> list:
    """Script errors, Content-Security-Policy violations and 4xx/5xx responses of `page`, as they happen."""
    problems = []
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    return problems


def layout_faults(page) -> list:
    """What is wrong with the layout of the page shown: wrapped buttons or badges, a proposal number on more
    than one line, and (at phone width) list cells without their label. Empty when all is well."""
    faults = [f"wrapped: {b['text']!r}" for b in page.evaluate(WRAPPED)]
    for number in page.locator("[data-testid=proposal-number]:visible").all():
        if not number.evaluate(ONE_LINE):
            faults.append(f"number on two lines: {number.inner_text()!r}")
    if page.viewport_size["width"] < PHONE_WIDTH:
        faults += [f"no label: {text!r}" for text in page.evaluate(UNLABELLED)]
    return faults
