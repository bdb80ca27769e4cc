"""What counts toward a total: the one definition every document, page, API and CSV uses.

A finding counts when it is active (not resolved), not suppressed, and not superseded by a
correlation rule (an exclusive alternative with a lower saving, a tuning recommendation on a
resource that should be removed). Every listed finding carries its `count_state` (why it does
or does not count), so a list can show the state beside each row and a spreadsheet summing
the `counted` rows gets the overview's total. The trend applies the same flags per scan run
(resolution is implicit there: a run only holds what it reported).
"""

from __future__ import annotations

# The flags apply to the columns of the findings document table (`fdoc`).
NOT_EXCLUDED_SQL = "(NOT suppressed AND NOT superseded)"
COUNTED_SQL = f"(lifecycle_state <> 'resolved' AND {NOT_EXCLUDED_SQL})"
COUNT_STATES = ("counted", "superseded", "suppressed", "resolved")
# The first reason that applies, in the order a user would act on it.
COUNT_STATE_SQL = (
    "CASE WHEN lifecycle_state = 'resolved' THEN 'resolved'"
    " WHEN suppressed THEN 'suppressed'"
    " WHEN superseded THEN 'superseded'"
    " ELSE 'counted' END"
)
