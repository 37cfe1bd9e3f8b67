"""Reading ZPL back: the command list of a format stream (what a printer would act on), and field data
with its `^FH` hex escapes undone. Used by the preview and by the tests that prove data cannot inject
commands.

A printer treats `^` and `~` as command prefixes anywhere in the stream, field data included, so this
tokenizer does too: each prefix starts a command named by the two characters after it (`^A` is the
exception: the font follows it directly, `^A0N,30,30`); what follows up to the next prefix is its
parameters (for `^FD`: the field data as sent).
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = "^~"


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # "^FO", "^A", "~JA", …
    params: str  # the raw text after the name, up to the next command

    def args(self) -> list[str]:
        return self.params.split(",") if self.params else []


def tokenize(zpl: bytes | str) -> list[Command]:
    text = zpl.decode("utf-8", errors="replace") if isinstance(zpl, bytes) else zpl
    commands: list[Command] = []
    starts = [i for i, char in enumerate(text) if char in PREFIXES]
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        size = 2 if chunk[1:2] == "A" and chunk[0] == "^" else 3
        name = chunk[:size].upper()
        params = chunk[size:]
        if name != "^FD" and name != "^FX":
            params = params.strip()  # line breaks between commands are layout, not data
        commands.append(Command(name, params))
    return commands


def command_names(zpl: bytes | str) -> list[str]:
    """The sequence of command names: the structure of a label, whatever its data."""
    return [command.name for command in tokenize(zpl)]


def unhex(data: str, indicator: str = "_") -> bytes:
    """Field data with `^FH` escapes (`<indicator>XX`) decoded, as bytes (UTF-8 under ^CI28)."""
    out = bytearray()
    i = 0
    raw = data.encode("utf-8")
    mark = ord(indicator)
    while i < len(raw):
        byte = raw[i]
        if byte == mark and _is_hex(raw[i + 1 : i + 3]):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
            continue
        out.append(byte)
        i += 1
    return bytes(out)


def _is_hex(pair: bytes) -> bool:
    return len(pair) == 2 and all(chr(b) in "0123456789abcdefABCDEF" for b in pair)


def code128_text(field: str) -> tuple[str, bool]:
    """What a mode-N `^BC` field encodes: (text with FNC1 separators as GS, whether it starts with FNC1 —
    a GS1-128 symbol). Invocation codes: `><` ^, `>0` >, `>=` ~, `>8` FNC1; subset changes drop out."""
    out: list[str] = []
    i = 0
    gs1 = False
    while i < len(field):
        char = field[i]
        if char == ">" and i + 1 < len(field):
            code = field[i + 1]
            i += 2
            if code == "8":
                if out:
                    out.append("\x1d")
                else:
                    gs1 = True
            elif code in "<0=":
                out.append({"<": "^", "0": ">", "=": "~"}[code])
            continue  # start codes and subset changes encode no data
        out.append(char)
        i += 1
    return "".join(out), gs1
