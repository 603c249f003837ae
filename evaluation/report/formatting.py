"""Numbers as Indian readers expect them (7.4 lakh, 1.74 crore, 45,60,000), or internationally."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

__all__ = [
    "format_count",
    "format_count_hi",
    "format_date_hi",
    "format_number",
    "group_digits",
    "in_words",
]

NumberStyle = Literal["indian", "international"]


def group_digits(value: float, *, style: NumberStyle = "indian", decimals: int = 0) -> str:
    """Digits grouped by style: Indian 45,60,000 (3 then 2s) or international 4,560,000.

    Examples
    --------
    >>> group_digits(4560000)
    '45,60,000'
    >>> group_digits(4560000, style="international")
    '4,560,000'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "-" if value < 0 else ""
    text = f"{abs(value):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    if style == "international":
        grouped = f"{int(whole):,}"
    else:
        head, tail = whole[:-3], whole[-3:]
        pairs: list[str] = []
        while len(head) > 2:
            pairs.insert(0, head[-2:])
            head = head[:-2]
        grouped = ",".join([p for p in [head, *pairs] if p] + [tail]) if head or pairs else tail
    return sign + grouped + (f".{fraction}" if fraction else "")


def in_words(value: float, *, style: NumberStyle = "indian", digits: int = 3) -> str:
    """A short reading form: 7.4 lakh / 1.74 crore (Indian) or 740 thousand / 17.4 million.

    Examples
    --------
    >>> in_words(740000)
    '7.4 lakh'
    >>> in_words(17400000)
    '1.74 crore'
    >>> in_words(740000, style="international")
    '740 thousand'
    """
    units = (
        [(1e7, "crore"), (1e5, "lakh"), (1e3, "thousand")]
        if style == "indian"
        else [(1e9, "billion"), (1e6, "million"), (1e3, "thousand")]
    )
    for size, name in units:
        if abs(value) >= size:
            return f"{_significant(value / size, digits)} {name}"
    return group_digits(value, style=style)


def _significant(value: float, digits: int) -> str:
    text = f"{value:.{digits}g}"
    return text if "e" not in text else f"{value:.0f}"


def format_count(value: float, *, style: NumberStyle = "indian") -> str:
    """A count for prose: words above one lakh (or 100 thousand), digits below."""
    if abs(value) >= 1e5:
        return in_words(value, style=style)
    return group_digits(value, style=style)


def format_number(value: float, *, style: NumberStyle = "indian", decimals: int = 0) -> str:
    """A number for tables: grouped digits with fixed decimals."""
    return group_digits(value, style=style, decimals=decimals)


_HINDI_MONTHS = (
    "जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून",
    "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर",
)  # fmt: skip


def format_count_hi(value: float) -> str:
    """A count for Hindi prose: लाख / करोड़ above one lakh, Indian digit groups below.

    Examples
    --------
    >>> format_count_hi(740000)
    '7.4 लाख'
    >>> format_count_hi(17400000)
    '1.74 करोड़'
    >>> format_count_hi(37000)
    '37,000'
    """
    words = format_count(value, style="indian")
    return words.replace(" crore", " करोड़").replace(" lakh", " लाख")


def format_date_hi(day: dt.date) -> str:
    """A date as Hindi readers write it: ``24 अक्टूबर 2024``."""
    return f"{day.day} {_HINDI_MONTHS[day.month - 1]} {day.year}"
