"""A Zebra's `~HS` host status: ask it over raw TCP, read the three STX…ETX strings, name the flags.

The answer format is in ../shared/reference/zpl.md §6. String 1 carries paper out, paused, formats waiting in
the receive buffer, buffer full, partial format, corrupt RAM, under/over temperature; string 2 head open,
ribbon out, thermal transfer mode, print mode and labels remaining in the batch. Some printers send nothing
while the media is out or the head is open: a read timeout is an error state, not "ready".
"""

from __future__ import annotations

import socket
from dataclasses import asdict, dataclass

STX, ETX = b"\x02", b"\x03"
HOST_STATUS = b"~HS"

# The flags that stop a printer from printing; in the order the pages show them.
STOPPING_FLAGS = ("paper_out", "head_open", "paused", "ribbon_out", "over_temperature", "buffer_full",
                  "corrupt_ram")


class StatusUnreadable(ValueError):
    """The printer answered, but not with three ~HS strings."""


@dataclass(frozen=True)
class HostStatus:
    paper_out: bool
    paused: bool
    label_length_dots: int
    formats_in_buffer: int
    buffer_full: bool
    partial_format: bool
    corrupt_ram: bool
    under_temperature: bool
    over_temperature: bool
    head_open: bool
    ribbon_out: bool
    thermal_transfer: bool
    print_mode: int
    labels_remaining: int

    @property
    def problems(self) -> list[str]:
        """The flags that keep labels from printing (thermal transfer without ribbon: ribbon_out counts)."""
        return [flag for flag in STOPPING_FLAGS if getattr(self, flag)]

    @property
    def ready(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {**asdict(self), "ready": self.ready, "problems": self.problems}


def _flag(value: str) -> bool:
    return value.strip() == "1"


def _number(value: str) -> int:
    value = value.strip()
    return int(value) if value.isdigit() else 0


def parse_host_status(answer: bytes) -> HostStatus:
    """The three STX…ETX strings (CR LF between them, as the printer sends them) → the named flags."""
    strings = [part.strip(b"\r\n").lstrip(STX).decode("ascii", "replace") for part in answer.split(ETX)]
    strings = [s for s in strings if s.strip()]
    if len(strings) < 2:
        raise StatusUnreadable(f"expected three ~HS strings, got {answer[:80]!r}")
    first, second = strings[0].split(","), strings[1].split(",")
    if len(first) < 12 or len(second) < 6:
        raise StatusUnreadable(f"~HS strings too short: {strings[0]!r} / {strings[1]!r}")
    return HostStatus(
        paper_out=_flag(first[1]), paused=_flag(first[2]), label_length_dots=_number(first[3]),
        formats_in_buffer=_number(first[4]), buffer_full=_flag(first[5]), partial_format=_flag(first[7]),
        corrupt_ram=_flag(first[9]), under_temperature=_flag(first[10]), over_temperature=_flag(first[11]),
        head_open=_flag(second[2]), ribbon_out=_flag(second[3]) and _flag(second[4]),
        thermal_transfer=_flag(second[4]), print_mode=_number(second[5]),
        labels_remaining=_number(second[8]) if len(second) > 8 else 0)


def host_status_answer(*, paper_out=False, paused=False, head_open=False, ribbon_out=False,
                       over_temperature=False, formats_in_buffer=0, labels_remaining=0,
                       label_length_dots=1218) -> bytes:
    """A ~HS answer in the printer's own format (the virtual printer's reply; tests' fixtures)."""
    first = (f"030,{int(paper_out)},{int(paused)},{label_length_dots:04d},{formats_in_buffer:03d},0,0,0,000,0,0,"
             f"{int(over_temperature)}")
    second = f"000,0,{int(head_open)},{int(ribbon_out)},{int(ribbon_out)},2,6,0,{labels_remaining:08d},1,000"
    third = "1234,0"
    return b"".join(STX + s.encode("ascii") + ETX + b"\r\n" for s in (first, second, third))


def query_host_status(host: str, port: int = 9100, *, timeout: float = 3.0) -> HostStatus:
    """Send ~HS and read the answer. Raises OSError (refused, unreachable, timeout: the printer is off, or
    in an error state that some models answer with silence) or StatusUnreadable."""
    buffer = b""
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(HOST_STATUS)
        while buffer.count(ETX) < 3:
            chunk = conn.recv(1024)
            if not chunk:
                break
            buffer += chunk
    return parse_host_status(buffer)
