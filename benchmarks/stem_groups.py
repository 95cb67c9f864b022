"""Labelled words for judging a stemmer for news search: what must meet, what must not.

Shared by ``tests/test_stem.py``, which asserts the groups and pairs for
``searcher.stem`` (all but ``HELD_OUT_GROUPS``), and ``benchmarks/stemmers.py``,
which scores every stemmer on all of them.

Every word here is already NORMALISED the way the indexer folds text before stemming:
no diacritics or tatweel, alef variants as ا, ى as ي, ة as ه, ؤ and ئ as ء. So the
city is written المدينه, not المدينة, and refugees اللاجءين, not اللاجئين.

Each group is what a journalist searching the first word would expect to find: the
same word with the clitics and endings news prose glues on. A group holds only forms
a light stemmer can reach by cutting affixes (no broken plurals such as مدن, وزراء).
Each apart pair is two frequent news words that mean different things and that some
light-stemming rule would merge; the comment names the rule.
"""

from __future__ import annotations

CONFLATION_GROUPS: dict[str, tuple[str, ...]] = {
    # A place name with every proclitic stack: و, ف, ب, ل(ل), و+ب, and without article.
    "Baghouz": ("الباغوز", "والباغوز", "بالباغوز", "للباغوز", "وبالباغوز", "فالباغوز", "باغوز"),
    # Syria in both spellings (سوريا, سورية) and its adjective, as in "الحكومة السورية".
    "Syria": ("سوريا", "سوريه", "وسوريا", "السوري", "السوريه", "والسوريه", "السوريين", "السوريون"),
    "city": ("المدينه", "مدينه", "والمدينه", "بالمدينه", "للمدينه", "مدينته", "مدينتها"),
    "government": (
        "الحكومه", "حكومه", "والحكومه", "بالحكومه", "للحكومه", "حكومات",
        "الحكومات", "حكومته", "حكومتها", "حكومتهم", "الحكومي", "الحكوميه",
    ),
    # للاجءين is ل + اللاجءين with the article's alef and one lam dropped.
    "refugees": ("اللاجءين", "اللاجءون", "لاجء", "لاجءين", "للاجءين", "واللاجءين", "لاجءه"),
    # The word a light stemmer most often breaks: its و is part of the word.
    "minister": ("الوزير", "وزير", "ووزير", "والوزير", "للوزير", "وزيرا", "الوزيره"),
    "ministry": ("وزاره", "الوزاره", "ووزاره", "والوزاره", "للوزاره", "وزارات", "الوزارات", "وزارته"),
    "police": ("الشرطه", "شرطه", "والشرطه", "للشرطه", "بالشرطه"),
    "sport": ("الرياضه", "رياضه", "والرياضه", "للرياضه", "بالرياضه"),
    "Riyadh": ("الرياض", "والرياض", "بالرياض", "للرياض"),
    "God": ("الله", "والله", "بالله"),
    "elections": (
        "الانتخابات", "انتخابات", "والانتخابات", "بالانتخابات", "للانتخابات",
        "الانتخاب", "انتخاب", "الانتخابي", "الانتخابيه",
    ),
    "occupation": ("الاحتلال", "احتلال", "والاحتلال", "بالاحتلال", "للاحتلال", "فالاحتلال"),
    # Palestine and Palestinian(s): as for Syria, the country and its adjective meet.
    "Palestine": (
        "فلسطين", "الفلسطيني", "الفلسطينيه", "الفلسطينيين", "الفلسطينيون", "فلسطينيين", "للفلسطينيين",
    ),
    "Egypt": ("مصر", "ومصر", "المصري", "المصريه", "المصريين", "مصري"),
    "Iraq": ("العراق", "والعراق", "بالعراق", "للعراق", "العراقي", "العراقيه", "العراقيين"),
    "Russia": ("روسيا", "وروسيا", "الروسي", "الروسيه", "الروس"),
    "Lebanon": ("لبنان", "ولبنان", "للبنان", "اللبناني", "اللبنانيه", "اللبنانيين"),
    "economy": (
        "الاقتصاد", "اقتصاد", "والاقتصاد", "للاقتصاد", "بالاقتصاد", "الاقتصادي", "الاقتصاديه", "اقتصاديه",
    ),
    "opposition": ("المعارضه", "معارضه", "والمعارضه", "للمعارضه", "المعارض", "المعارضين", "معارضون"),
    "gunmen": ("المسلحين", "مسلحين", "المسلحون", "مسلحون", "مسلح", "المسلح", "مسلحا"),
    "army": ("الجيش", "جيش", "والجيش", "للجيش", "بالجيش", "جيشها"),
    "negotiations": ("المفاوضات", "مفاوضات", "والمفاوضات", "بالمفاوضات", "للمفاوضات"),
    "attack": ("الهجوم", "هجوم", "والهجوم", "للهجوم", "بالهجوم", "هجوما", "هجومه"),
    "aid": ("المساعدات", "مساعدات", "والمساعدات", "المساعده", "مساعده"),
    "policy": ("السياسه", "سياسه", "والسياسه", "سياسته", "سياستها", "سياسات", "السياسات"),
    "forces": ("القوات", "قوات", "والقوات", "بالقوات", "للقوات", "قواتها"),
    "state": ("الدوله", "دوله", "والدوله", "للدوله", "بالدوله", "دولته"),
    # Added after reading ant-news: a ة after alef (مباراة) is ي in the plural.
    "match": ("المباراه", "مباراه", "والمباراه", "للمباراه", "مباراته", "المباريات", "مباريات"),
    # Added after reading ant-news: ال is part of المانيا.
    "Germany": ("المانيا", "والمانيا", "الماني", "الالماني", "الالمانيه", "المانيه"),
}

# Written before this module's scores were first run on them, and never used to
# tune searcher/stem.py: an honest estimate for words the rules were not fitted
# to. The benchmark reports them; the tests do not assert them (some fail).
HELD_OUT_GROUPS: dict[str, tuple[str, ...]] = {
    "journalists": ("الصحفي", "الصحفيين", "صحفي", "صحفيون", "الصحفيه", "للصحفيين"),
    "court": ("المحكمه", "محكمه", "والمحكمه", "بالمحكمه", "للمحكمه", "محكمتها"),
    "protests": ("الاحتجاجات", "احتجاجات", "الاحتجاج", "احتجاج", "والاحتجاجات", "للاحتجاج"),
    "plane": ("الطاءره", "طاءره", "الطاءرات", "طاءرات", "طاءرتين", "بالطاءرات"),
    "candidate": ("المرشح", "مرشح", "المرشحين", "مرشحين", "المرشحون", "المرشحه", "مرشحا"),
    "coalition": ("التحالف", "تحالف", "والتحالف", "للتحالف", "تحالفات"),
    "week": ("الاسبوع", "اسبوع", "اسبوعين", "اسبوعا", "الاسبوعين"),
    "China": ("الصين", "والصين", "الصيني", "الصينيه", "الصينيين"),
    "Saudi": ("السعوديه", "والسعوديه", "بالسعوديه", "السعودي", "السعوديين", "للسعوديه"),
    "Jordan": ("الاردن", "والاردن", "الاردني", "الاردنيه", "بالاردن"),
    "Japan": ("اليابان", "الياباني", "اليابانيه", "واليابان"),
    "United States": ("الولايات", "ولايه", "الولايه", "بالولايات", "للولايات", "والولايات"),
    "television": ("التلفزيون", "تلفزيون", "التلفزيوني", "التلفزيونيه", "تلفزيونيه"),
    "officials": ("المسءول", "مسءول", "المسءولين", "مسءولون", "مسءولين", "المسءوله"),
    "children": ("الاطفال", "اطفال", "والاطفال", "للاطفال", "اطفالهم"),
    "authority": ("الهيءه", "هيءه", "الهيءات", "للهيءه"),
    "organisation": ("المنظمه", "منظمه", "المنظمات", "منظمات", "للمنظمه"),
    "Jerusalem": ("القدس", "والقدس", "بالقدس", "للقدس"),
    "Aqsa": ("الاقصي", "والاقصي", "بالاقصي", "للاقصي"),
    # Bare ب and ل before a name: no light stemmer here strips them safely.
    "Gaza": ("غزه", "وغزه", "بغزه", "لغزه"),
    "Trump": ("ترامب", "وترامب", "لترامب", "بترامب"),
    "commitment": ("التزام", "الالتزام", "بالتزام", "والتزام"),
    "life": ("الحياه", "حياه", "حياته", "بالحياه"),
}

# Pairs that must keep different stems: (word, word, which rule would merge them).
# The first block was written up front; the second was found by reading the most
# frequent stem classes of ant-news, and each is a PROTECTED_STEMS entry, so it
# shows what the table buys rather than how the rules generalise.
KEEP_APART: tuple[tuple[str, str, str], ...] = (
    ("الرياض", "الرياضه", "ه: Riyadh vs sport"),
    ("الرياض", "الرياضي", "ي: Riyadh vs sporting"),
    ("السوري", "سور", "ي: Syrian vs wall"),
    ("سوريا", "سور", "ا then ي: Syria vs wall"),
    ("الشرطه", "شرط", "ه: police vs condition"),
    ("الله", "له", "ال: God vs 'to him'"),
    ("لله", "له", "لل: 'to God' vs 'to him'"),
    ("وزير", "زير", "bare و: minister vs jar"),
    ("وزاره", "زار", "bare و then ه: ministry vs visited"),
    ("وعود", "عود", "bare و: promises vs return"),
    ("وجود", "جود", "bare و: existence vs generosity"),
    ("وحده", "حده", "bare و: unit vs its edge"),
    ("ورد", "رد", "bare و: came vs reply"),
    ("فرقه", "الرقه", "bare ف: band vs Raqqa"),
    ("فريق", "ريق", "bare ف: team vs saliva"),
    ("فرنسا", "رنسا", "bare ف: France loses its first letter"),
    ("بطوله", "طول", "bare ب: championship vs length"),
    ("بلده", "لده", "bare ب: town loses its first letter"),
    ("لجنه", "جنه", "bare ل: committee vs paradise"),
    ("كتاب", "تاب", "bare ك: book vs repented"),
    ("كمال", "مال", "bare ك: Kamal vs money"),
    ("لبنان", "لبن", "ان: Lebanon vs milk"),
    ("السودان", "سود", "ان: Sudan vs blacks"),
    ("عمان", "عم", "ان: Oman vs uncle"),
    ("حسين", "حس", "ين: Hussein vs sense"),
    ("سنه", "سن", "ه to two letters: year vs age"),
    ("عده", "عد", "ه to two letters: several vs counting"),
    ("سلطان", "سلطه", "ان and ه: sultan vs authority"),
)

KEEP_APART_FOUND_IN_CORPUS: tuple[tuple[str, str, str], ...] = (
    ("الدوري", "دور", "ي: league vs role"),
    ("الدولي", "الدول", "ي: international vs states"),
    ("الاحد", "احد", "ال: Sunday vs one"),
    ("تركيا", "ترك", "ا then ي: Turkey vs left"),
    ("الجمعه", "جمع", "ه: Friday vs gathered"),
    ("عمليات", "عمل", "ات then ي: operations vs work"),
    ("صلاحيات", "صلاح", "ات then ي: powers vs Salah"),
    ("العليا", "علي", "ا: supreme vs on"),
    ("الوفيات", "وفي", "ات: deaths vs 'and in'"),
    ("الاف", "اف", "ال: thousands vs F"),
    ("المدنيين", "المدن", "ين then ي: civilians vs cities"),
)
