"""Clean an extracted article body of what extractors leave around the text.

Input: body paragraphs (plain text) from an extractor. Output: the paragraphs without
reprint/subscription/cookie notices, share and "read more" lines, and without a trailing
comment thread. Pure text rules, language-aware through short phrase lists; no I/O.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_NOTICE_MAX = 320  # a notice is a short paragraph; a long one that quotes such a phrase is text

# Phrases that make a short paragraph a notice wherever they occur in it.
_NOTICE = re.compile(
    r"for your personal,? non-commercial use|presentation-ready copies|djreprints|"
    r"(?:this|the) (?:article|story|post|piece) (?:was )?(?:originally |first )?(?:appeared|published) (?:on|in|at)\b|republished (?:with permission|from|under)|"
    r"reprinted with permission|may not be (?:re)?published,? broadcast|all rights reserved|"
    r"distributed by tribune|we use cookies|(?:this|our) (?:web)?site uses cookies|accept (?:all )?cookies|"
    r"cookie policy|subscribe to (?:our|the) [\w ]{0,30}newsletter|sign up for (?:our|the) [\w ]{0,30}newsletter|"
    r"already a subscriber|to continue reading|subscribers? only|unlimited (?:digital )?access|"
    r"follow us on (?:twitter|facebook|instagram|telegram)|enable javascript|javascript is (?:disabled|required)|"
    r"включите javascript|при (?:полной или частичной )?перепечатке|"
    r"при использовании материалов|все права защищены|мы используем (?:файлы )?cookie|подписывайтесь на наш|"
    r"материалдарды пайдаланғанда|барлық құқықтар қорғалған|alle rechte vorbehalten|wir verwenden cookies",
    re.IGNORECASE,
)
# Prompts that make a short paragraph a share or cross-link line when they start it.
_PROMPT = re.compile(
    r"^(?:share (?:this|on|via)|share:|click here to|continue reading|read (?:more|the full)|more on this|"
    r"related (?:stories|articles|coverage)|(?:©|\(c\)|copyright\b)|поделиться|читать (?:далее|полностью)|"
    r"подробнее:|teilen:|weiterlesen)",
    re.IGNORECASE,
)
# A heading that opens the reader comments: it and everything after it are not the article.
_COMMENTS_HEADING = re.compile(
    r"^(?:\d+\s+)?(?:comments?|responses?|replies|reader comments|leave a (?:reply|comment)|post a comment|"
    r"add (?:a |your )?comment|join the (?:discussion|conversation)|what do you think\??|комментари[иейя]|"
    r"оставить комментарий|пікірлер|пікір қалдыру|kommentare?|kommentar schreiben)"
    r"(?:\s*\(\d+\))?(?:\s+(?:to|on)\s.*)?\W*$",
    re.IGNORECASE,
)


def is_notice(paragraph: str) -> bool:
    """Return True for a short reprint, subscription, cookie, share or read-more paragraph."""
    if len(paragraph) > _NOTICE_MAX:
        return False
    return bool(_NOTICE.search(paragraph) or _PROMPT.match(paragraph))


def cut_comments(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Return the paragraphs before a comment-section heading that follows some article text."""
    for at, para in enumerate(paragraphs):
        # At the very top such a line is more likely a title ("Comments on the budget").
        if at > 0 and len(para) <= 80 and _COMMENTS_HEADING.match(para):
            logger.debug("comment section from paragraph %d of %d dropped", at, len(paragraphs))
            return paragraphs[:at]
    return paragraphs


def strip_notices(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Return the article paragraphs without notices and without a trailing comment thread."""
    return tuple(p for p in cut_comments(paragraphs) if not is_notice(p))
