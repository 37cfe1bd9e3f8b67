"""Read-only views of the printers for the supervisor's dashboard: what each one last said, and its queue."""

from __future__ import annotations

from flask_babel import gettext as _

from .services import list_printers, queue_lengths
from .status import STOPPING_FLAGS
from .worker import flag_words

# A printer's state in one word: it answered and nothing stops it; it answered with a flag that stops it; it
# didn't answer (off, unplugged, or an error state some models answer with silence); never asked yet.
READY, PROBLEM, OFFLINE, UNKNOWN = "ready", "problem", "offline", "unknown"


def printer_states() -> list[dict]:
    """Active printers by name: online (None: never asked), state (READY, PROBLEM, OFFLINE, UNKNOWN), the
    problems of its last ~HS answer in words (as the print worker says them) and its queue of unprinted jobs."""
    words, queues = flag_words(), queue_lengths()
    states = []
    for printer in list_printers():
        status = printer.status or {}
        problems = [words[flag] for flag in STOPPING_FLAGS if status.get(flag)]
        if printer.online is False:
            problems.insert(0, _("offline"))
            state = OFFLINE
        elif problems:
            state = PROBLEM
        else:
            state = READY if printer.online else UNKNOWN
        states.append({"name": printer.name, "online": printer.online, "status": state, "problems": problems,
                       "queue": queues.get(printer.id, 0)})
    return states
