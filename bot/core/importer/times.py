"""Times of day, weekdays and time zones as syllabus pages write them: "2:00–3:15pm", "MW", "Tuesdays", "ET".

A time without am/pm is read as a class hour (1–7 afternoon, 8–11 morning, 12 noon) and said to be a guess; a
range "11-1pm" takes its meridiem from the end. A time zone is taken only where the page names one for certain
(an IANA name, "Eastern Time", "Pacific", "11:59pm PT"); anything else leaves the placeholder for the instructor.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

CLOCK = r"(?:(?P<{p}h>\d{{1,2}})(?:[:.](?P<{p}m>[0-5]\d))?\s*(?P<{p}ap>[ap]\.?\s?m\b\.?)?|(?P<{p}word>noon|midnight))"
RANGE = re.compile(rf"(?<![\d/:.-])(?:from\s+)?{CLOCK.format(p='a')}\s*(?:-|–|—|to|until|till)\s*"
                   rf"{CLOCK.format(p='b')}(?![\d/:]|\s*(?:%|percent|points?|pages?|pp|min|minutes|hours|weeks))",
                   re.I)
SINGLE = re.compile(rf"(?<![\d/:.-]){CLOCK.format(p='a')}(?![\d/:])", re.I)
DAY_NAME = r"(?:mon|tues?|wed|weds|wednes|thu|thur|thurs|fri|sat|sun)(?:day)?s?\.?"
DAYS_WORDS = re.compile(rf"\b{DAY_NAME}(?:\s*(?:,|/|&|\+|and|or)\s*{DAY_NAME})*(?![a-z])", re.I)
DAYS_COMPACT = re.compile(r"\b(?:M|Tu|T|W|Th|R|F){2,5}\b")
ROOM_CUE = re.compile(r"\b(?:room|rm\.?|hall|building|bldg\.?|center|centre|auditorium|audimax|lab|library|"
                      r"theat(?:er|re)|lecture hall|annex|tower|house)\b", re.I)
ZONES = {  # what a page says → the zone; the regional names are certain in a US page's sense
    "eastern": "America/New_York", "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "central": "America/Chicago", "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "pacific": "America/Los_Angeles", "pt": "America/Los_Angeles", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "mountain": "America/Denver", "mt": "America/Denver", "mst": "America/Denver",
    "mdt": "America/Denver", "uk": "Europe/London", "bst": "Europe/London", "gmt": "Europe/London",
    "utc": "UTC", "hawaii": "Pacific/Honolulu", "hst": "Pacific/Honolulu", "alaska": "America/Anchorage",
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "cet": "Europe/Berlin", "cest": "Europe/Berlin",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
}
UNSURE_ZONES = {"mountain", "mt", "mst", "mdt", "gmt", "cet", "cest", "aest", "aedt", "cet/cest", "aest/aedt",
                "central european"}  # more than one place uses them
PAIRS = {"cet/cest": "Europe/Berlin", "gmt/bst": "Europe/London", "aest/aedt": "Australia/Sydney",
         "central european": "Europe/Berlin", "british": "Europe/London"}  # certain of the region, not always the place
ZONE_REGION = re.compile(r"\b(CET\s*/\s*CEST|GMT\s*/\s*BST|AEST\s*/\s*AEDT)\b|\b(Central European|British)\s+"
                         r"(?:Summer\s+|Standard\s+)?time\b", re.I)
ZONE_CITY = re.compile(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)(?:\s+local)?\s+time\b|\b(?:local\s+)?time\s+in\s+"
                       r"([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\b")
NATIONS = {  # a country with one zone: "Dutch local time", "German time"
    "dutch": "Europe/Amsterdam", "german": "Europe/Berlin", "belgian": "Europe/Brussels", "french": "Europe/Paris",
    "swiss": "Europe/Zurich", "austrian": "Europe/Vienna", "danish": "Europe/Copenhagen", "swedish": "Europe/Stockholm",
    "norwegian": "Europe/Oslo", "finnish": "Europe/Helsinki", "italian": "Europe/Rome", "polish": "Europe/Warsaw",
    "czech": "Europe/Prague", "irish": "Europe/Dublin", "japanese": "Asia/Tokyo", "korean": "Asia/Seoul"}
ZONE_NATION = re.compile(rf"\b({'|'.join(NATIONS)})\s+(?:local\s+)?time\b", re.I)
CITY_REGIONS = ("Europe", "America", "Asia", "Australia", "Africa")  # not the islands ("Christmas", "Easter")
NOT_CITIES = {"North", "South", "West", "Oral", "Virgin", "Resolute"}  # words the zone database uses as places
ZONE_NAMED = re.compile(r"\b(Eastern|Central|Pacific|Mountain|Hawaii|Alaska|UK)(?:\s+(?:Standard|Daylight))?\s+"
                        r"(?:time|timezone)\b|\btime\s*zone\s*(?:is|:)?\s*(Eastern|Central|Pacific|Mountain)\b|"
                        r"\b(?:all\s+)?times?\s+(?:are\s+|listed\s+)?(?:in\s+)?(Eastern|Central|Pacific|Mountain)\b",
                        re.I)
ZONE_AFTER_TIME = re.compile(r"(?:\d\s*[aApP]\.?\s?[mM]\.?|\d:\d\d|noon|midnight)\s*\(?\s*"
                             r"(ET|EST|EDT|PT|PST|PDT|CT|CST|CDT|MT|MST|MDT|UTC|GMT|BST|HST|AKST|AKDT|CET|CEST|AEST|AEDT|Eastern|Pacific|Central|"
                             r"Mountain)\b")
IANA = re.compile(r"\b((?:America|Europe|Asia|Australia|Africa|Pacific|Atlantic|Indian)/[A-Z][A-Za-z_]+"
                  r"(?:/[A-Z][A-Za-z_]+)?)\b")


@dataclass(frozen=True, slots=True)
class Span:
    """A time range read from the page; `guess` says what was assumed (am/pm), `where` is its place in the text."""

    start: dt.time
    end: dt.time
    guess: str | None
    where: tuple[int, int]


def _hour(h: str | None, m: str | None, ap: str | None, word: str | None) -> tuple[int, int, str | None] | None:
    if word:
        return (12, 0, "pm") if word.lower() == "noon" else (23, 59, "pm")
    hour, minute = int(h or 0), int(m or 0)
    meridiem = ap[0].lower() + "m" if ap else None
    if hour > 23 or (meridiem and not 1 <= hour <= 12):
        return None
    return hour, minute, meridiem


def _to_24(hour: int, meridiem: str | None) -> int:
    if meridiem == "pm":
        return hour % 12 + 12
    if meridiem == "am":
        return hour % 12
    if hour >= 13:
        return hour
    return hour + 12 if 1 <= hour <= 7 else hour


def read_span(text: str) -> Span | None:
    """The first time range in the text ("2:00–3:15pm", "10-11", "11am to 1pm"), or None."""
    for m in RANGE.finditer(text):
        a = _hour(m["ah"], m["am"], m["aap"], m["aword"])
        b = _hour(m["bh"], m["bm"], m["bap"], m["bword"])
        if a is None or b is None or not (a[2] or b[2] or m["am"] or m["bm"] or _near_hours_cue(text, m.start())):
            continue
        guess = None
        b_mer = b[2]
        a_mer = a[2]
        if a_mer is None and b_mer is not None and a[0] <= 12:
            a_mer = b_mer if (a[0] % 12) <= (b[0] % 12) else ("am" if b_mer == "pm" else "pm")
        start = dt.time(_to_24(a[0], a_mer), a[1])
        end_hour = _to_24(b[0], b_mer)
        if b_mer is None and a_mer and b[0] < 13:  # "10am-12"
            end_hour = b[0] if b[0] > start.hour or b[0] == 12 else b[0] + 12
        end = dt.time(end_hour, b[1]) if b[2] != "pm" or b[:2] != (23, 59) else dt.time(23, 59)
        if end <= start:
            continue
        if a_mer is None and b_mer is None and a[0] < 13 and b[0] < 13 and not m["ah"].startswith("0"):  # "09.00"
            guess = f"am/pm not given: read as {start:%H:%M}–{end:%H:%M}"
        return Span(start, end, guess, (m.start(), m.end()))
    return None


def _near_hours_cue(text: str, at: int) -> bool:
    """A bare "10-11" counts as a time only beside a weekday (it could be pages or chapters otherwise)."""
    return bool(DAYS_WORDS.search(text[max(0, at - 40):at]) or DAYS_COMPACT.search(text[max(0, at - 12):at]))


def read_time(text: str) -> tuple[dt.time, str | None] | None:
    """A single time of day ("11:59pm", "5 PM", "noon", "17:00"), and the guess made, or None."""
    for m in SINGLE.finditer(text):
        if m["aword"]:
            return (dt.time(12, 0), None) if m["aword"].lower() == "noon" else (dt.time(23, 59), None)
        if not (m["aap"] or m["am"]):
            continue
        parsed = _hour(m["ah"], m["am"], m["aap"], None)
        if parsed is None:
            continue
        hour, minute, meridiem = parsed
        if meridiem is None and hour < 13 and not re.search(r"\b(at|by|before)\s*$", text[:m.start()]):
            continue
        guess = None if meridiem or hour >= 13 else "am/pm not given"
        return dt.time(_to_24(hour, meridiem), minute), guess
    return None


def _compact_days(token: str) -> tuple[int, ...]:
    days, i = [], 0
    codes = (("Th", 3), ("Tu", 1), ("M", 0), ("T", 1), ("W", 2), ("R", 3), ("F", 4))
    while i < len(token):
        for code, day in codes:
            if token.startswith(code, i):
                days.append(day)
                i += len(code)
                break
        else:
            return ()
    return tuple(sorted(set(days))) if len(days) == len(set(days)) else ()


def read_days(text: str) -> tuple[tuple[int, ...], tuple[int, int] | None]:
    """The weekdays named in the text ("Tuesdays and Thursdays", "Tue/Thu", "MW", "TTh") and where, or ((), None)."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    if m := DAYS_WORDS.search(text):
        found = [names.index(w.lower()[:3]) for w in re.findall(DAY_NAME, m[0], re.I)]
        return tuple(sorted(set(found))), (m.start(), m.end())
    if m := DAYS_COMPACT.search(text):
        days = _compact_days(m[0])
        if days:
            return days, (m.start(), m.end())
    return (), None


def read_place(text: str) -> str | None:
    """The room or place after a time: ", Gates 412", "in Iribe, 4240", "Location: Room 101"; None when none."""
    text = re.sub(r"https?://\S+", "", text)
    text = re.split(r"\s*(?!\([A-Z]{0,3}\s?\d[\d.]*[A-Z]?\))[(;]|\s+[—–]\s+|\.\s+(?=[A-Z])|\bby appointment\b", text,
                    maxsplit=1)[0]  # a room's code in parentheses is kept: "Audimax (H 0105)"
    text = re.sub(r"^[\s,;:.]*(?:(?:in|at|room:|location:?|place:?|where:?)\s+)?", "", text, flags=re.I)
    text = re.sub(r"[\s,;]+(?:or|and)\s*$", "", text, flags=re.I)  # "Lowell 318, or [by appointment]"
    text = re.sub(r"^(?:the\s+)?", "", text).strip(" ,.;:")
    text = re.sub(r",\s*(?=(?:room\s*)?\d)", " ", text, flags=re.I)  # "Iribe, 4240" → "Iribe 4240"
    text = re.sub(r"^(?i:room|rm\.?)\s+(?=[A-Z]{1,4}[\s-]?\d)", "", text)  # "room MA 004" → "MA 004"
    text = re.sub(r"^(?:room|rm\.?)(?=\s+\d)", "Room", text)  # "room 3.14" → "Room 3.14": a number is no place
    if not text or len(text.split()) > 6 or not re.search(r"[A-Z0-9]", text) or read_span(text) or re.match(
            r"(?:and|or|also|&)\b", text, re.I):
        return None
    if re.match(r"(?:on\s+)?(?:zoom|online|teams|google meet|virtual)", text, re.I):
        return "Online"
    if not (ROOM_CUE.search(text) or re.search(r"\b[A-Z][\w.'-]*\s*[A-Z]?-?\d{1,4}[A-Z]?\b", text)):
        return None
    return text


@cache
def _city_zones() -> dict[str, str]:
    return {z.split("/")[-1].replace("_", " "): z for z in sorted(available_timezones())
            if z.count("/") == 1 and z.split("/")[0] in CITY_REGIONS and z.split("/")[-1] not in NOT_CITIES}


def _city_zone(name: str) -> str | None:
    """"Berlin" → Europe/Berlin, "New York" → America/New_York; None for a word that names no zone's city."""
    zones = _city_zones()
    return zones.get(name) or zones.get(name.split()[-1])


def zone_of(text: str) -> tuple[str | None, str | None]:
    """The time zone the page names (and a doubt, if more than one place uses its name), or (None, None)."""
    for named in IANA.finditer(text):
        try:
            ZoneInfo(named[1])
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
        return named[1], None
    for city in ZONE_CITY.finditer(text):  # "Berlin local time", "time in Sydney": a city the zone database names
        if zone := _city_zone(city[1] or city[2]):
            return zone, None
    if nation := ZONE_NATION.search(text):
        return NATIONS[nation[1].lower()], None
    if region := ZONE_REGION.search(text):  # "CET/CEST", "GMT/BST", "Central European Time"
        word = re.sub(r"\s+", "", region[1]).lower() if region[1] else region[2].lower()
        return PAIRS[word], (f"the page says “{region[0].strip()}”, which more than one zone uses"
                             if word in UNSURE_ZONES else None)
    for pattern in (ZONE_NAMED, ZONE_AFTER_TIME):
        if m := pattern.search(text):
            word = next(g for g in m.groups() if g).lower()
            zone = ZONES.get(word)
            if zone:
                said = m[0].strip()
                return zone, (f"the page says “{said}”, which more than one zone uses" if word in UNSURE_ZONES
                              else None)
    return None, None
