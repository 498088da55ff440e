"""Numbers, dates and labels as Chinese offices write them (and their English forms)."""

import datetime

from django.utils import translation

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """0–9999 in Chinese numerals as used in 第十三届, 三次会议: 13 → 十三, 20 → 二十, 105 → 一百零五."""
    if n < 0:
        return "负" + chinese_number(-n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    units = [(1000, "千"), (100, "百"), (10, "十")]
    out, zero = "", False
    for value, name in units:
        digit = (n // value) % 10
        if digit:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[digit] + name
        elif out:
            zero = True
    if n % 10:
        if zero:
            out += "零"
        out += _DIGITS[n % 10]
    return out


def _is_chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def term_label(number: int) -> str:
    return f"第{chinese_number(number)}届" if _is_chinese() else f"{_ordinal_en(number)} term"


def session_label(term_number: int, session_number: int) -> str:
    if _is_chinese():
        return f"{term_label(term_number)}{chinese_number(session_number)}次会议"
    return f"{_ordinal_en(term_number)} term, session {session_number}"


def cn_date(value: datetime.date | datetime.datetime | None) -> str:
    """2026年11月29日 in Chinese, 29 Nov 2026 in English; '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if _is_chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%-d %b %Y")


def cn_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local)} {local:%H:%M}"


def percent(numerator: int, denominator: int) -> str:
    """A rate as offices print it: 100%, 97.6%; '—' when nothing to divide."""
    if not denominator:
        return "—"
    value = round(100 * numerator / denominator, 1)
    return f"{value:g}%"
