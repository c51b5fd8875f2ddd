"""A topic cut short: it ends in "and", "of", a comma, an open parenthesis or "…", or, on a flattened text page,
in part of a word (a column too narrow for it: "LLMs fin").

A word is taken as cut when it is short and not a common word, or when it only ever appears on the page as the
start of a longer word ("fin" → "fine-tuning"). Either way it is a `# check:`, never a change to the topic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from bot.core.importer.lines import Line

DANGLING = re.compile(r"\b(and|or|of|the|a|an|to|for|with|in|on|by|from|vs\.?|versus|via|into|at|as|&)$", re.I)
SHORT_WORDS = frozenset("""
a an as at be by do go if in is it me my no of on or so to up us we ok vs ai ml nlp io os ui ux id
and are but can for get has how new not now off one our out own the too two use via war web who why yes you
art day end key law map age act aid air all any bad big bit box car cut dna fix gap hot job lab low man mix old
pay put raw red run sea see set sum sun tax top way win arm art bus cpu gpu tpu api sql css git llm rag gan rnn
cnn vae mlp lstm bert gpt rl dp sgd svm pca knn ii iii iv vi vii viii ix xi xii its his her him she they them
""".split())


def page_words(lines: Iterable[Line]) -> Counter[str]:
    """How often each word (lower case; hyphenated parts apart) appears on the page."""
    return Counter(w for line in lines for w in re.findall(r"[a-z]+", line.text.lower()))


def _cut_word(word: str, words: Mapping[str, int]) -> bool:
    if not word.isalpha() or not word.islower() or word in SHORT_WORDS:
        return False
    if len(word) <= 3:
        return True
    longer = any(w != word and w.startswith(word) for w in words)
    return longer and words[word] <= 1


def cut_short(topic: str, words: Mapping[str, int], text_page: bool) -> str | None:
    """Why the topic looks cut short, or None."""
    text = topic.strip()
    if not text:
        return None
    if text.endswith(("…", "...")):
        return "topic may be cut short (it ends in “…”)"
    if text.endswith((",", ";", ":", "-", "—", "–", "/")):
        return f"topic may be cut short (it ends in “{text[-1]}”)"
    if text.count("(") > text.count(")") or text.count("[") > text.count("]"):
        return "topic may be cut short (a parenthesis is left open)"
    if m := DANGLING.search(text):
        return f"topic may be cut short (it ends in “{m[1]}”)"
    last = re.findall(r"[\w'’.-]+$", text)
    if text_page and last and len(text.split()) > 1 and _cut_word(last[0], words):
        return f"topic may be cut short (“{last[0]}” looks like part of a word)"
    return None
