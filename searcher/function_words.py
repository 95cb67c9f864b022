"""Arabic function words: the words a query has in common with every article.

Questions and long queries are full of them (ما هو, من هم, لماذا, في, الذي,
على). Ranked as ordinary words they let long passages full of من and في win,
and with "all words must match" they exclude articles for no reason. So
queries weigh them down and do not require them (``searcher.query``); they
are still indexed, and a phrase or an exact form (``=في``) still uses them.

They are compared by search form, the form the index holds, so every spelling
and clitic of a listed word is covered (وفي, الذى, إلى). Stemming merges a few
of them with content words, which is why they are weighed down rather than
dropped: على and the name علي are both ``علي``.

>>> is_function_word("الذى"), is_function_word("وفي"), is_function_word("الباغوز")
(True, True, False)
"""

from __future__ import annotations

from .terms import search_form

__all__ = ["FUNCTION_WORDS_WRITTEN", "FUNCTION_WORD_FORMS", "is_function_word"]

#: As written; one group per line: question words, pronouns, prepositions,
#: particles and conjunctions, كان, relative and demonstrative pronouns,
#: quantifiers and adverbs, and the short ones with a clitic, which are too
#: short for the stemmer to cut (وفي, ومن).
FUNCTION_WORDS_WRITTEN = """
من ما ماذا لماذا متى أين كيف كم هل أي
هو هي هم هن هما أنا نحن أنت أنتم
في على إلى عن مع بين عند منذ خلال حتى ضد لدى
أن إن أو ثم قد لقد لم لن لا ليس بل لكن إلا إذا لو
كان كانت يكون تكون
الذي التي الذين اللذان اللتان اللاتي اللواتي ذلك تلك هذا هذه هؤلاء هناك هنا
كل بعض غير بعد قبل أيضا فقط
وفي ومن وما وهو وهي وعن ولا ولم ولن وقد فقد وأن وإن بأن لأن ثم
"""

#: Their search forms.
FUNCTION_WORD_FORMS: frozenset[str] = frozenset(search_form(word) for word in FUNCTION_WORDS_WRITTEN.split())


def is_function_word(form: str) -> bool:
    """True when ``form`` (a word as written, or its search form) is a function word."""
    return form in FUNCTION_WORD_FORMS or search_form(form) in FUNCTION_WORD_FORMS
