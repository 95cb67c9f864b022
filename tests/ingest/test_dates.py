import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.ingest.dates import find_date, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-02-27", D(2019, 2, 27)),
        ("2019-02-27T14:02:00+03:00", D(2019, 2, 27)),
        ("2019/2/7", D(2019, 2, 7)),
        ("27.02.2019 | 14:02 دمشق", D(2019, 2, 27)),
        ("27/02/2019", D(2019, 2, 27)),
        ("07/02/2019", D(2019, 2, 7)),  # day first, as Arabic sites print it
        ("02/27/2019", D(2019, 2, 27)),  # month first only when day first is impossible
        ("٢٧/٠٢/٢٠١٩", D(2019, 2, 27)),
        ("۲۷-۰۲-۲۰۱۹", D(2019, 2, 27)),
        ("27 فبراير 2019", D(2019, 2, 27)),
        ("الأربعاء 27 شباط 2019", D(2019, 2, 27)),
        ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00", D(2013, 8, 28)),
        ("5 كانون الثاني 2020", D(2020, 1, 5)),
        ("5 كانون الأول 2020", D(2020, 12, 5)),
        ("12 تشرين الأول 2017", D(2017, 10, 12)),
        ("3 أيار 2016", D(2016, 5, 3)),
        ("3 إبريل 2016", D(2016, 4, 3)),  # hamza spellings fold together
        ("3 ابريل 2016", D(2016, 4, 3)),
        ("14 جويلية 2018", D(2018, 7, 14)),  # Maghrebi
        ("1 أوت 2018", D(2018, 8, 1)),
        ("Feb 27, 2019", D(2019, 2, 27)),
        ("27 February 2019", D(2019, 2, 27)),
        ("31/02/2019", None),
        ("2019", None),
        ("منذ ساعتين", None),
        ("", None),
        ("1445 هـ 12 رمضان", None),  # Hijri dates are not read
    ],
)
def test_date_table(text, expected):
    assert parse_date(text) == expected


def test_find_date_takes_the_first_date_in_running_text():
    assert find_date("نشر في 3 آذار 2019 وحدث في 4 آذار 2019") == D(2019, 3, 3)


MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
LEVANT = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2199, 12, 31)), st.integers(0, 5))
def test_every_written_form_reads_back(date, style):
    forms = [
        date.isoformat(),
        f"{date.day:02d}/{date.month:02d}/{date.year}",
        f"{date.day}.{date.month}.{date.year}".translate(INDIC),
        f"{date.day} {MONTHS[date.month - 1]} {date.year}",
        f"الخميس، {date.day} {LEVANT[date.month - 1]} {date.year} - 10:30",
        f"{date.day} {LEVANT[date.month - 1]}/{MONTHS[date.month - 1]} {date.year}".translate(INDIC),
    ]
    assert parse_date(forms[style]) == date
