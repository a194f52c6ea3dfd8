"""The one masking rule for ID and card numbers on screen, paper and in logs (reliability.md §4.3).

First 3 and last 4 characters are kept; everything between becomes ``*``. Short values keep at most a
quarter of their characters visible so that a masked value never reveals the whole number.
"""

from __future__ import annotations


def mask_number(value: str) -> str:
    """Mask an ID number, social-security number, card number or token for display."""
    text = value.strip()
    length = len(text)
    if length == 0:
        return ""
    if length >= 12:
        head, tail = 3, 4
    else:
        visible = length // 4
        head, tail = (visible + 1) // 2, visible // 2
    hidden = length - head - tail
    return text[:head] + "*" * hidden + (text[length - tail :] if tail else "")
