"""A ZPL II element model: a Label you add Text, TextBlock, Barcode128, QrCode, DataMatrix, Box, Line,
Graphic and Image elements to, rendered to printer bytes (the idea of the Ruby gem zebra-zpl, in Python).

Pure: plain values in, bytes out; no I/O, no Flask, nothing from server/.

Units: every position and size is given in dots of a 203 dpi printer (8 dots/mm; a 4x6 in label is
812 x 1218) and scaled when the label is rendered at another resolution (300 dpi: x 300/203). Barcode module
widths scale to whole dots (2 → 3, 3 → 4, 4 → 6), as a module must be an integer. `mm()` and `inches()`
convert to those design dots.

Safety: every field's data goes out behind `^FH_` with `^`, `~`, `_`, `\\` and control characters written as
`_XX` hex escapes, so no data can end a field or send a command (a name like `^XZ^XA…` or `~JA` prints as
text). Code 128 data writes `^ ~ >` as the symbology's own invocation codes. Every label starts with `^CI28`
(field data is UTF-8), so names in any script reach the printer intact; the font must have the glyphs
(see `Font` and docs/labels.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

BASE_DPI = 203
ROTATIONS = ("N", "R", "I", "B")  # normal, 90° clockwise, 180°, 270°
JUSTIFICATIONS = ("L", "C", "R", "J")

# ---------------------------------------------------------------------------------------------------------
# Units


def mm(millimetres: float) -> int:
    """Millimetres → design dots (203 dpi)."""
    return round(millimetres * BASE_DPI / 25.4)


def inches(value: float) -> int:
    """Inches → design dots (203 dpi)."""
    return round(value * BASE_DPI)


def dots_to_mm(dots: float, dpi: int = BASE_DPI) -> float:
    return dots * 25.4 / dpi


def module_dots(module: int, dpi: int) -> int:
    """A barcode module width given at 203 dpi, in whole dots at `dpi` (never below 1)."""
    return max(1, round(module * dpi / BASE_DPI))


# ---------------------------------------------------------------------------------------------------------
# Escaping

_HEX_ESCAPES = {code: f"_{code:02X}" for code in (*range(0x20), 0x7F, ord("^"), ord("~"), ord("_"), ord("\\"))}
# One line of text: line breaks and tabs become spaces (a field prints on one line), the rest hex.
_LINE_TABLE = str.maketrans(_HEX_ESCAPES | {ord("\n"): " ", ord("\r"): " ", ord("\t"): " "})
_DATA_TABLE = str.maketrans(_HEX_ESCAPES)


def escape_line(text: str) -> str:
    """Field data for `^FH_`: one line, nothing in it that the printer reads as a command."""
    return text.translate(_LINE_TABLE)


def escape_data(text: str) -> str:
    """Field data for `^FH_` kept byte for byte (2-D barcodes: a line break stays a line break)."""
    return text.translate(_DATA_TABLE)


def escape_block(text: str | Sequence[str]) -> str:
    """Several lines for a `^FB` block: each escaped, joined by `\\&` (the block's line break)."""
    lines = text.splitlines() if isinstance(text, str) else [line for part in text for line in part.splitlines()]
    return "\\&".join(line.translate(_LINE_TABLE) for line in lines)


# ---------------------------------------------------------------------------------------------------------
# Code 128 / GS1-128 field data (mode N: we choose the subsets and write the invocation codes)

FNC1 = "\x1d"  # in our token strings: the FNC1 function character (a GS in the scanned result)
_START_B, _START_C, _TO_B, _FNC1 = ">:", ">;", ">6", ">8"
_B_TABLE = str.maketrans({"^": "><", ">": ">0", "~": ">=", "_": "_5F"})


def _digit_run(data: str, start: int) -> int:
    end = start
    while end < len(data) and "0" <= data[end] <= "9":
        end += 1
    return end - start


def code128_field(data: str) -> tuple[str, int]:
    """ZPL `^BC` mode-N field data for `data` (printable ASCII; FNC1 as "\\x1d") and its symbol count.

    A symbol that starts with 4 or more digits (or is 2+ digits only) starts in subset C, two digits a
    symbol, and changes to subset B (`>6`) where the digits stop pairing; everything else is subset B.
    Two quirks of Zebrash (the independent renderer the tests check our labels with) shape this, at a
    symbol or two: it reads `>5` (B → C) in subset B as FNC4, so we never change from B to C; and it drops
    a lone last character after an invocation code, so an odd digit run ends with three digits in subset B
    rather than one. The symbol count (start code included, check and stop excluded) gives the width:
    (count + 1) * 11 + 13 modules.
    """
    for char in data:
        if not (" " <= char <= "~" or char == FNC1):
            raise ValueError(f"Code 128 cannot encode {char!r} (printable ASCII only)")
    length = len(data)
    first = length - len(data.lstrip(FNC1))  # a leading FNC1 (GS1) goes in any subset
    run = _digit_run(data, first)
    subset_c = run >= 4 or (run >= 2 and first + run == length)
    c_end = 0  # data[:c_end] is written in subset C
    if subset_c:
        c_end = first
        while c_end < length:
            if data[c_end] == FNC1:
                c_end += 1
            elif _digit_run(data, c_end) >= 2:
                c_end += 2
            else:
                break
        if length - c_end == 1 and data[c_end - 1] != FNC1:
            c_end -= 2  # the last pair goes along to subset B with the lone last character
        if c_end <= first:  # nothing left to pair ("123"): all subset B
            subset_c, c_end = False, 0
    out = [_START_C if subset_c else _START_B]
    symbols = 1
    i = 0
    while i < c_end:
        if data[i] == FNC1:
            out.append(_FNC1)
            i += 1
        else:
            out.append(data[i : i + 2])
            i += 2
        symbols += 1
    if subset_c and c_end < length:
        out.append(_TO_B)
        symbols += 1
    for char in data[c_end:]:
        out.append(_FNC1 if char == FNC1 else char.translate(_B_TABLE))
    symbols += length - c_end
    return "".join(out), symbols


def code128_modules(symbols: int) -> int:
    """Width in modules of a Code 128 symbol with `symbols` symbols before the check symbol (no quiet zones)."""
    return (symbols + 1) * 11 + 13


# GS1 element strings: the AIs whose data length is fixed (by their first two digits; gs1.md §3) need no FNC1
# after them; every other element is followed by FNC1 unless it is the last.
_PREDEFINED_LENGTH = {
    "00": 18, "01": 14, "02": 14, "03": 14, "04": 16, "11": 6, "12": 6, "13": 6, "14": 6, "15": 6, "16": 6,
    "17": 6, "18": 6, "19": 6, "20": 2, "31": 6, "32": 6, "33": 6, "34": 6, "35": 6, "36": 6, "41": 13,
}  # fmt: skip
# The GS1 82-character set (ISO 646 invariant subset) that element string data may use.
_GS1_CHARS = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")

GS1Elements = Sequence[tuple[str, str]]


def gs1_elements(data: str | GS1Elements) -> list[tuple[str, str]]:
    """[(ai, value), …] from pairs or from the human-readable form "(00)006141411234567890(420)78701"."""
    if not isinstance(data, str):
        elements = [(str(ai), str(value)) for ai, value in data]
    else:
        elements = []
        for chunk in data.split("(")[1:]:
            ai, _, value = chunk.partition(")")
            elements.append((ai, value.replace(" ", "")))
        if not elements or data[:1] != "(":
            raise ValueError(f"GS1 data must be (AI)value pairs: {data!r}")
    for ai, value in elements:
        if not (ai.isdigit() and 2 <= len(ai) <= 4):
            raise ValueError(f"not a GS1 application identifier: {ai!r}")
        fixed = _PREDEFINED_LENGTH.get(ai[:2])
        if fixed is not None and (len(value) != fixed or not value.isdigit()):
            raise ValueError(f"AI {ai} takes {fixed} digits, got {value!r}")
        if not value or not set(value) <= _GS1_CHARS:
            raise ValueError(f"AI {ai}: {value!r} is not GS1 data (82-character set)")
    return elements


def gs1_tokens(elements: GS1Elements) -> str:
    """The element strings as Code 128 tokens: FNC1 first, then FNC1 after each variable-length element
    that is not last."""
    parts = [FNC1]
    last = len(elements) - 1
    for index, (ai, value) in enumerate(elements):
        parts.append(ai + value)
        if index < last and ai[:2] not in _PREDEFINED_LENGTH:
            parts.append(FNC1)
    return "".join(parts)


def gs1_text(elements: GS1Elements) -> str:
    """The human-readable line under a GS1 barcode: "(00) 006141411234567890 (420) 78701"."""
    return " ".join(f"({ai}) {value}" for ai, value in elements)


# ---------------------------------------------------------------------------------------------------------
# Elements. Each renders itself with `zpl(f)`, f being the scale factor dpi / 203.


def _s(value: int, f: float) -> int:
    return value if f == 1.0 else round(value * f)


def _check_rotation(rotation: str) -> None:
    if rotation not in ROTATIONS:
        raise ValueError(f"rotation must be one of {ROTATIONS}, not {rotation!r}")


def _check_justify(justify: str) -> None:
    if justify not in JUSTIFICATIONS:
        raise ValueError(f"justification must be one of {JUSTIFICATIONS}, not {justify!r}")


@dataclass(frozen=True, slots=True)
class Font:
    """A printer font: a one-character built-in name ("0" = the scalable CG Triumvirate: Latin), or a font
    file on the printer such as "E:ANMDS.TTF" (Zebra's Simplified Chinese font, which must be downloaded to
    the printer to print Chinese)."""

    name: str = "0"

    def __post_init__(self) -> None:
        if not self.name or not set(self.name) <= _FONT_NAME_CHARS:
            raise ValueError(f"not a printer font name: {self.name!r}")

    def command(self, rotation: str, height: int, width: int) -> str:
        if len(self.name) == 1:
            return f"^A{self.name}{rotation},{height},{width}"
        return f"^A@{rotation},{height},{width},{self.name}"


_FONT_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:._-")
DEFAULT_FONT = Font()


def as_font(font: Font | str | None) -> Font:
    if font is None:
        return DEFAULT_FONT
    return font if isinstance(font, Font) else Font(font)


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text at (x, y), its top-left corner. `height`/`width` are the character size in dots
    (width 0: proportional to height). With `block_width`, the line is justified (L/C/R) in that width."""

    x: int
    y: int
    text: str
    height: int = 30
    width: int = 0
    rotation: str = "N"
    justify: str = "L"
    block_width: int = 0
    font: Font | str = DEFAULT_FONT
    reverse: bool = False

    def __post_init__(self) -> None:
        _check_rotation(self.rotation)
        _check_justify(self.justify)
        object.__setattr__(self, "font", as_font(self.font))
        if self.justify != "L" and not self.block_width:
            raise ValueError("a justified Text needs a block_width")

    def zpl(self, f: float) -> str:
        block = f"^FB{_s(self.block_width, f)},1,0,{self.justify},0" if self.block_width else ""
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}{'^FR' if self.reverse else ''}"
            f"{self.font.command(self.rotation, _s(self.height, f), _s(self.width, f))}"
            f"{block}^FH_^FD{escape_line(self.text)}^FS"
        )


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Word-wrapped text in a `^FB` block `block_width` wide, at most `max_lines` lines (the printer writes
    anything beyond the last line over it, so size it for the worst case). `text` is a string (its line
    breaks kept) or a list of lines."""

    x: int
    y: int
    text: str | tuple[str, ...] | list[str]
    block_width: int
    max_lines: int = 1
    height: int = 30
    width: int = 0
    line_spacing: int = 0
    justify: str = "L"
    indent: int = 0
    rotation: str = "N"
    font: Font | str = DEFAULT_FONT

    def __post_init__(self) -> None:
        _check_rotation(self.rotation)
        _check_justify(self.justify)
        object.__setattr__(self, "font", as_font(self.font))
        if not 1 <= self.max_lines <= 9999:
            raise ValueError("max_lines must be 1 to 9999")

    def zpl(self, f: float) -> str:
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}"
            f"{self.font.command(self.rotation, _s(self.height, f), _s(self.width, f))}"
            f"^FB{_s(self.block_width, f)},{self.max_lines},{_s(self.line_spacing, f)},{self.justify},"
            f"{_s(self.indent, f)}^FH_^FD{escape_block(self.text)}^FS"
        )


@dataclass(frozen=True, slots=True)
class Barcode128:
    """Code 128 at (x, y). `module` is the narrow bar width in dots at 203 dpi. With gs1=True `data` is GS1
    element strings — (ai, value) pairs or "(00)…(420)…" — encoded as GS1-128 (FNC1 first, FNC1 after
    variable-length elements). `interpretation` prints the printer's human-readable line (for GS1, print
    `gs1_text()` yourself: the printer's line has no parentheses)."""

    x: int
    y: int
    data: str | GS1Elements
    height: int = 100
    module: int = 2
    rotation: str = "N"
    interpretation: bool = True
    interpretation_above: bool = False
    gs1: bool = False
    _field: str = field(init=False, repr=False, compare=False, default="")
    _symbols: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        _check_rotation(self.rotation)
        if self.gs1:
            tokens = gs1_tokens(gs1_elements(self.data))
        elif isinstance(self.data, str):
            tokens = self.data
        else:
            raise ValueError("Code 128 data must be a string (or GS1 elements with gs1=True)")
        if not tokens:
            raise ValueError("Code 128 needs data")
        data, symbols = code128_field(tokens)
        object.__setattr__(self, "_field", data)
        object.__setattr__(self, "_symbols", symbols)

    @property
    def modules(self) -> int:
        return code128_modules(self._symbols)

    def width(self, f: float = 1.0) -> int:
        """Printed width in dots (no quiet zones) at scale f."""
        return self.modules * module_dots(self.module, round(BASE_DPI * f))

    def zpl(self, f: float) -> str:
        height = _s(self.height, f)
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}^BY{module_dots(self.module, round(BASE_DPI * f))},3,{height}"
            f"^BC{self.rotation},{height},{'Y' if self.interpretation else 'N'},"
            f"{'Y' if self.interpretation_above else 'N'},N,N^FH_^FD{self._field}^FS"
        )


def fit_module(modules: int, available: int, largest: int, smallest: int = 1) -> int:
    """The widest module (≤ largest) at which a symbol of `modules` modules plus its two 10-module quiet
    zones fits in `available` dots; `smallest` if none does."""
    for module in range(largest, smallest, -1):
        if (modules + 20) * module <= available:
            return module
    return smallest


@dataclass(frozen=True, slots=True)
class Ean13:
    """EAN-13 (and UPC-A as EAN-13 with a leading 0) from 12 or 13 digits; the printer adds the check
    digit (a 13th digit given is checked here, not sent)."""

    x: int
    y: int
    digits: str
    height: int = 100
    module: int = 2
    rotation: str = "N"

    def __post_init__(self) -> None:
        _check_rotation(self.rotation)
        digits = self.digits
        if not digits.isdigit() or len(digits) not in (12, 13):
            raise ValueError(f"EAN-13 takes 12 or 13 digits, not {digits!r}")
        if len(digits) == 13 and gs1_check_digit(digits[:12]) != int(digits[12]):
            raise ValueError(f"{digits}: wrong check digit")

    def zpl(self, f: float) -> str:
        height = _s(self.height, f)
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}^BY{module_dots(self.module, round(BASE_DPI * f))},3,{height}"
            f"^BE{self.rotation},{height},Y,N^FH_^FD{self.digits[:12]}^FS"
        )


@dataclass(frozen=True, slots=True)
class QrCode:
    """QR code (model 2) at (x, y); `magnification` 1–10 is the module size in dots at 203 dpi; `ecl` the
    error correction level H/Q/M/L. Data is written in automatic input mode."""

    x: int
    y: int
    data: str
    magnification: int = 4
    ecl: str = "Q"

    def __post_init__(self) -> None:
        if self.ecl not in ("H", "Q", "M", "L"):
            raise ValueError("QR error correction must be H, Q, M or L")
        if not 1 <= self.magnification <= 10:
            raise ValueError("QR magnification must be 1 to 10")

    def zpl(self, f: float) -> str:
        magnification = min(10, module_dots(self.magnification, round(BASE_DPI * f)))
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}^BQN,2,{magnification}"
            f"^FH_^FD{self.ecl}A,{escape_data(self.data)}^FS"
        )


# DataMatrix: `^BX` reads "_" as its own escape (`_1` = FNC1), and ^FH would read "_" first (zpl.md §3.3),
# so its field uses `\` as the hex indicator and writes a literal "_" as "__".
_DM_TABLE = str.maketrans(
    {code: f"\\{code:02X}" for code in (*range(0x20), 0x7F, ord("^"), ord("~"), ord("\\"))} | {ord("_"): "__"}
)


@dataclass(frozen=True, slots=True)
class DataMatrix:
    """DataMatrix ECC 200 at (x, y), `module` dots a square (at 203 dpi). With gs1=True, `data` is GS1
    element strings as for Barcode128 (GS1 DataMatrix: FNC1 first and after variable-length elements)."""

    x: int
    y: int
    data: str | GS1Elements
    module: int = 6
    gs1: bool = False
    rotation: str = "N"

    def __post_init__(self) -> None:
        _check_rotation(self.rotation)
        if not self.gs1 and not isinstance(self.data, str):
            raise ValueError("DataMatrix data must be a string (or GS1 elements with gs1=True)")

    def field_data(self) -> str:
        if not self.gs1:
            return self.data.translate(_DM_TABLE)  # type: ignore[union-attr]
        return gs1_tokens(gs1_elements(self.data)).replace(FNC1, "_1")

    def zpl(self, f: float) -> str:
        module = module_dots(self.module, round(BASE_DPI * f))
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}^BX{self.rotation},{module},200,0,0,,_"
            f"^FH\\^FD{self.field_data()}^FS"
        )


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle (`^GB`): border `thickness` dots; a thickness ≥ the smaller side fills it. `color` B or W;
    `rounding` 0–8."""

    x: int
    y: int
    width: int
    height: int
    thickness: int = 3
    color: str = "B"
    rounding: int = 0

    def __post_init__(self) -> None:
        if self.color not in ("B", "W") or not 0 <= self.rounding <= 8:
            raise ValueError("Box colour is B or W, rounding 0 to 8")

    def zpl(self, f: float) -> str:
        thickness = max(1, _s(self.thickness, f))
        width = max(thickness, _s(self.width, f))
        height = max(thickness, _s(self.height, f))
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}^GB{width},{height},{thickness},{self.color},{self.rounding}^FS"
        )


def Line(x: int, y: int, length: int, thickness: int = 3, *, vertical: bool = False) -> Box:  # noqa: N802
    """A horizontal (or vertical) rule: a box as thick as it is high (or wide)."""
    if vertical:
        return Box(x, y, thickness, length, thickness)
    return Box(x, y, length, thickness, thickness)


@dataclass(frozen=True, slots=True)
class Graphic:
    """A 1-bit bitmap (`^GFA`): `rows` packed 8 dots a byte, most significant bit leftmost, 1 = black,
    `bytes_per_row` bytes a row. Drawn dot for dot (its position scales with the dpi, its size does not:
    use Image for a picture that should keep its printed size)."""

    x: int
    y: int
    rows: bytes
    bytes_per_row: int

    def __post_init__(self) -> None:
        if self.bytes_per_row < 1 or len(self.rows) % self.bytes_per_row:
            raise ValueError("a graphic's data must be whole rows of bytes_per_row bytes")

    def zpl(self, f: float) -> str:
        total = len(self.rows)
        return (
            f"^FO{_s(self.x, f)},{_s(self.y, f)}^GFA,{total},{total},{self.bytes_per_row},"
            f"{self.rows.hex().upper()}^FS"
        )


class Image:
    """A picture (a Pillow image, e.g. a logo) printed `width` design dots wide (height in proportion):
    converted to 1 bit (dithered) at the label's resolution, once per resolution."""

    __slots__ = ("x", "y", "image", "width", "_graphics")

    def __init__(self, x: int, y: int, image: Any, width: int | None = None) -> None:
        self.x, self.y, self.image = x, y, image
        self.width = width or image.width
        self._graphics: dict[float, Graphic] = {}

    def graphic(self, f: float) -> Graphic:
        if f not in self._graphics:
            width = max(1, _s(self.width, f))
            height = max(1, round(self.image.height * width / self.image.width))
            picture = self.image.convert("L").resize((width, height)).convert("1")  # Floyd-Steinberg
            # Pillow's "1" mode packs 1 = white; ZPL wants 1 = black. The bits padding a row stay white.
            bytes_per_row = (width + 7) // 8
            last_byte_mask = (0xFF << (-width % 8)) & 0xFF
            inverted = bytearray(255 - byte for byte in picture.tobytes())
            inverted[bytes_per_row - 1 :: bytes_per_row] = bytes(
                byte & last_byte_mask for byte in inverted[bytes_per_row - 1 :: bytes_per_row]
            )
            packed = bytes(inverted)
            self._graphics[f] = Graphic(_s(self.x, f), _s(self.y, f), packed, bytes_per_row)
        return self._graphics[f]

    def zpl(self, f: float) -> str:
        graphic = self.graphic(f)
        return graphic.zpl(1.0)


# ---------------------------------------------------------------------------------------------------------
# Label


def gs1_check_digit(digits: str) -> int:
    """GS1 mod-10 check digit of the data digits (weights 3, 1, 3, … from the right)."""
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


class Label:
    """One label format (`^XA … ^XZ`): `width_in` x `height_in` inches at `dpi`. Elements are positioned
    in 203-dpi design dots and scaled to `dpi` when rendered."""

    __slots__ = ("width_in", "height_in", "dpi", "quantity", "elements")

    def __init__(self, width_in: float = 4, height_in: float = 6, dpi: int = BASE_DPI, *, quantity: int = 1):
        if dpi not in (152, 203, 300, 600):
            raise ValueError(f"unsupported resolution {dpi} dpi (152, 203, 300 or 600)")
        if not 1 <= quantity <= 99_999_999:
            raise ValueError("quantity must be 1 to 99,999,999")
        self.width_in, self.height_in, self.dpi, self.quantity = width_in, height_in, dpi, quantity
        self.elements: list[Any] = []

    @property
    def scale(self) -> float:
        return 1.0 if self.dpi == BASE_DPI else self.dpi / BASE_DPI

    @property
    def width_dots(self) -> int:
        return round(self.width_in * self.dpi)

    @property
    def height_dots(self) -> int:
        return round(self.height_in * self.dpi)

    def add(self, *elements: Any) -> Label:
        self.elements.extend(elements)
        return self

    def extend(self, elements: Iterable[Any]) -> Label:
        self.elements.extend(elements)
        return self

    def header(self) -> str:
        return f"^XA^CI28^PW{self.width_dots}^LL{self.height_dots}^LH0,0"

    def footer(self) -> str:
        return f"^PQ{self.quantity}^XZ"

    def zpl_text(self) -> str:
        f = self.scale
        return "".join([self.header(), *(element.zpl(f) for element in self.elements), self.footer()])

    def zpl(self) -> bytes:
        return self.zpl_text().encode("utf-8")
