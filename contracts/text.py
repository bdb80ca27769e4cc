"""Text rules of the contracts: identifiers are ASCII and exact, free text has no control characters.

Identifiers (tenant, workspace, account, region, service, check id, enums, currency, resource type)
are trimmed of ASCII blanks and case-folded in ASCII only, then must match their ASCII pattern:
anything else is rejected, never folded. Python's Unicode `lower()` would turn a tenant spelled
with the Kelvin sign U+212A into the ASCII tenant `k…` (a tenant confusion hazard), and `\\d` would
let Arabic-Indic digits through as account ids.

Free text (title, names, formula, run id, scope, resource id, tag and detail keys and values) is
trimmed of Unicode whitespace except control characters, and is rejected if it holds any control
character other than TAB, LF and CR (NUL, the rest of C0, DEL, C1): the same rule in the row-wise
reference, the column path, both stream engines and replay, since they share the contract code.
"""

from __future__ import annotations

import re

ID_BLANKS = " \t\n\r"
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
_TO_LOWER = str.maketrans(_UPPER, _LOWER)
_TO_UPPER = str.maketrans(_LOWER, _UPPER)

# Control characters free text may not hold; the pattern is valid for Python's re and for RE2
# (Arrow's match_substring_regex), so both paths use the very same class.
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_PATTERN)
# Resource ids are identifiers too: no control character at all, not even TAB, LF or CR.
ID_CONTROL_PATTERN = r"[\x00-\x1f\x7f-\x9f]"
_ID_CONTROL = re.compile(ID_CONTROL_PATTERN)
# What `str.strip()` removes (Py_UNICODE_ISSPACE) minus the controls above; a test checks the list.
TEXT_BLANKS = "".join(
    map(chr, [0x9, 0xA, 0xD, 0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
)


def id_text(value: str) -> str:
    """An identifier as given, minus ASCII blanks around it (nothing else is touched)."""
    return value.strip(ID_BLANKS)


def ascii_lower(value: str) -> str:
    """A-Z to a-z; every other character unchanged (so a non-ASCII one stays and is rejected)."""
    return value.translate(_TO_LOWER)


def ascii_upper(value: str) -> str:
    return value.translate(_TO_UPPER)


def trim_text(value: str) -> str:
    """Free text minus surrounding whitespace (never a control character: those are rejected)."""
    return value.strip(TEXT_BLANKS)


def control_at(value: str, *, identifier: bool = False) -> int:
    """Index of the first forbidden control character, or -1."""
    m = (_ID_CONTROL if identifier else _CONTROL).search(value)
    return -1 if m is None else m.start()
