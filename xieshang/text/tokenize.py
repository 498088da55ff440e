"""Normalising, cutting and splitting Chinese text: words (rjieba), characters, sentences.

Every text that enters the engine passes `clean()` first: whitespace removed (Chinese has no spaces
between words; full-width spaces and line breaks in pasted text only add noise), cut to `TEXT_LIMIT`
characters so that a 100,000-character paste costs the same as a long proposal.
"""

import re

import rjieba

# Characters kept per text (title and body each). A long proposal is 3,000-5,000 characters; its
# opening carries the subject. Longer texts are cut, never refused.
TEXT_LIMIT = 20_000
# Shorter than this (after cleaning) there is nothing to learn from or to suggest on.
MIN_CHARS = 2

# Whitespace, and what no text can hold: lone surrogates (a broken paste or a hostile client; the word cutter
# refuses them) and NUL.
_SPACE = re.compile("\\s+|[\ud800-\udfff\x00]")
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")
# Sentence ends: Chinese and Western full stops, question and exclamation marks, semicolons, line breaks.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")


def clean(text, limit=TEXT_LIMIT):
    """The text without whitespace (nor lone surrogates or NUL), cut to `limit` characters ('' for None)."""
    if not text:
        return ""
    return _SPACE.sub("", str(text)[: limit * 2])[:limit]


def words(text):
    """The words of an already cleaned text (rjieba, HMM for unknown words); punctuation dropped."""
    return [w for w in rjieba.cut(text) if _WORDLIKE.search(w)]


def sentences(text, limit=TEXT_LIMIT):
    """The sentences of a raw text, each cleaned, empty ones dropped."""
    if not text:
        return []
    out = []
    for part in _SENTENCE_END.split(str(text)[: limit * 2]):
        part = clean(part, limit)
        if len(part) >= MIN_CHARS:
            out.append(part)
    return out


def bigrams(text):
    """The set of character bigrams of a cleaned text (the text itself when it has one character)."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}
