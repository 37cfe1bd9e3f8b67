"""ZPL → SVG for the supervisor pages: what a label (or whatever the virtual printer received) looks like.

Renders the subset our templates emit: text (`^A`, `^FB`, `^FH`), boxes and rules (`^GB`), Code 128 and
GS1-128 (`^BC`, drawn from python-barcode's modules), EAN-13 (`^BE`), QR (`^BQ`) and DataMatrix (`^BX`,
both drawn with zxing-cpp) and 1-bit graphics (`^GF` ASCII hex). The barcodes are real: they scan off the
screen. Anything else — an unknown command, a malformed one — is drawn as nothing, so any bytes received
render without an error. Every string written to the SVG is XML-escaped (field data is untrusted) and only
presentation attributes are used (no inline `style`, which the pages' CSP forbids).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from labels.parse import Command, code128_text, tokenize, unhex

MAX_ELEMENTS = 4000  # a hostile stream cannot make an endless SVG
MAX_GRAPHIC_BYTES = 256 * 1024
FONT = "'Arial Narrow', 'Liberation Sans Narrow', 'Helvetica Neue', Arial, sans-serif"


@dataclass
class _State:
    width: int = 812
    height: int = 1218
    home: tuple[int, int] = (0, 0)
    origin: tuple[int, int] = (0, 0)
    baseline: bool = False  # ^FT: the origin is the text baseline / the barcode's bottom
    font_height: int = 30
    font_width: int = 0
    rotation: str = "N"
    default_font: tuple[int, int] = (30, 0)
    block: tuple[int, int, int, str, int] | None = None  # ^FB width, lines, spacing, justification, indent
    hex_indicator: str | None = None
    by: tuple[int, int] = (2, 10)  # ^BY module, bar height
    barcode: Command | None = None
    out: list[str] = field(default_factory=list)

    def end_field(self) -> None:
        self.block, self.hex_indicator, self.barcode, self.baseline = None, None, None, False


def _int(value: str, default: int, low: int = 0, high: int = 32000) -> int:
    try:
        number = int(value.strip() or default)
    except ValueError:
        return default
    return min(max(number, low), high)


def _arg(args: list[str], index: int) -> str:
    return args[index].strip() if index < len(args) else ""


def formats(zpl: bytes | str) -> list[list[Command]]:
    """The stream split into label formats (`^XA … ^XZ`)."""
    found: list[list[Command]] = []
    current: list[Command] | None = None
    for command in tokenize(zpl):
        if command.name == "^XA":
            current = []
        elif command.name == "^XZ":
            if current is not None:
                found.append(current)
            current = None
        elif current is not None:
            current.append(command)
    return found


def svgs(zpl: bytes | str, *, dpi: int | None = None) -> list[str]:
    """One SVG document a label format."""
    return [_render(commands, dpi) for commands in formats(zpl)]


def svg(zpl: bytes | str, *, dpi: int | None = None) -> str:
    """An SVG of the stream's labels, one under the other (an empty label when there is none)."""
    pages = formats(zpl) or [[]]
    if len(pages) == 1:
        return _render(pages[0], dpi)
    rendered = [_render_body(commands) for commands in pages]
    gap = 40
    width = max(state.width for state, _ in rendered)
    height = sum(state.height for state, _ in rendered) + gap * (len(rendered) - 1)
    parts, y = [], 0
    for state, body in rendered:
        parts.append(f'<g transform="translate(0,{y})">{body}</g>')
        y += state.height + gap
    return _document(width, height, "".join(parts), dpi or _guess_dpi(width))


def _guess_dpi(width: int) -> int:
    return 300 if width > 1000 else 203


def _document(width: int, height: int, body: str, dpi: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="zpl-label" viewBox="0 0 {width} {height}" '
        f'width="{width / dpi:.2f}in" height="{height / dpi:.2f}in" role="img">{body}</svg>'
    )


def _render(commands: list[Command], dpi: int | None) -> str:
    state, body = _render_body(commands)
    return _document(state.width, state.height, body, dpi or _guess_dpi(state.width))


def _render_body(commands: list[Command]) -> tuple[_State, str]:
    state = _State()
    for command in commands:
        if len(state.out) > MAX_ELEMENTS:
            break
        handler = _HANDLERS.get(command.name)
        if handler is not None:
            try:
                handler(state, command)
            except Exception:  # noqa: BLE001 - any bytes may arrive (the virtual printer): draw nothing
                state.end_field()
    frame = (
        f'<rect x="0" y="0" width="{state.width}" height="{state.height}" fill="#fff" stroke="#999" '
        f'stroke-width="2"/>'
    )
    return state, frame + "".join(state.out)


# ---------------------------------------------------------------------------------------------------------
# Command handlers


def _pw(state: _State, command: Command) -> None:
    state.width = _int(_arg(command.args(), 0), state.width, 1, 4000)


def _ll(state: _State, command: Command) -> None:
    state.height = _int(_arg(command.args(), 0), state.height, 1, 8000)


def _lh(state: _State, command: Command) -> None:
    args = command.args()
    state.home = (_int(_arg(args, 0), 0), _int(_arg(args, 1), 0))


def _fo(state: _State, command: Command) -> None:
    args = command.args()
    state.origin = (state.home[0] + _int(_arg(args, 0), 0), state.home[1] + _int(_arg(args, 1), 0))
    state.baseline = command.name == "^FT"


def _font(state: _State, command: Command) -> None:
    # ^A0N,h,w or ^A@N,h,w,E:FONT.TTF: params start with the font name character
    args = command.params[1:].split(",")
    rotation = (args[0][:1] or "N").upper()
    state.rotation = rotation if rotation in "NRIB" else "N"
    state.font_height = _int(_arg(args, 1), state.default_font[0], 1, 3000)
    state.font_width = _int(_arg(args, 2), 0, 0, 3000)


def _cf(state: _State, command: Command) -> None:
    args = command.args()
    state.default_font = (_int(_arg(args, 1), 30, 1, 3000), _int(_arg(args, 2), 0, 0, 3000))
    state.font_height, state.font_width = state.default_font


def _fb(state: _State, command: Command) -> None:
    args = command.args()
    justify = (_arg(args, 3) or "L").upper()
    state.block = (
        _int(_arg(args, 0), 0, 0, 32000),
        _int(_arg(args, 1), 1, 1, 200),
        _int(_arg(args, 2), 0, -999, 999),
        justify if justify in "LCRJ" else "L",
        _int(_arg(args, 4), 0),
    )


def _fh(state: _State, command: Command) -> None:
    state.hex_indicator = command.params[:1] or "_"


def _by(state: _State, command: Command) -> None:
    args = command.args()
    state.by = (_int(_arg(args, 0), 2, 1, 10), _int(_arg(args, 2), state.by[1], 1, 32000))


def _barcode(state: _State, command: Command) -> None:
    state.barcode = command


def _fs(state: _State, command: Command) -> None:
    state.end_field()


def _gb(state: _State, command: Command) -> None:
    args = command.args()
    thickness = _int(_arg(args, 2), 1, 1, 32000)
    width = max(_int(_arg(args, 0), thickness, 1), thickness)
    height = max(_int(_arg(args, 1), thickness, 1), thickness)
    colour = "#fff" if _arg(args, 3).upper() == "W" else "#000"
    x, y = state.origin
    if state.baseline:
        y -= height
    if thickness * 2 >= min(width, height):
        state.out.append(f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{colour}"/>')
    else:
        half = thickness / 2
        state.out.append(
            f'<rect x="{x + half}" y="{y + half}" width="{width - thickness}" height="{height - thickness}" '
            f'fill="none" stroke="{colour}" stroke-width="{thickness}"/>'
        )


def _gf(state: _State, command: Command) -> None:
    args = command.params.split(",", 4)
    if len(args) < 5 or args[0].strip().upper() != "A":
        return  # binary and compressed graphics are not previewed
    per_row = _int(args[3], 1, 1, 4000)
    data = "".join(args[4].split())
    if len(data) > MAX_GRAPHIC_BYTES * 2:
        return
    rows = bytes.fromhex(data[: len(data) - len(data) % 2])
    x0, y0 = state.origin
    runs = []
    for row_index in range(len(rows) // per_row):
        row = rows[row_index * per_row : (row_index + 1) * per_row]
        bits = "".join(f"{byte:08b}" for byte in row)
        start = bits.find("1")
        while start >= 0:
            end = bits.find("0", start)
            end = len(bits) if end < 0 else end
            runs.append(f"M{x0 + start} {y0 + row_index}h{end - start}v1h-{end - start}Z")
            start = bits.find("1", end)
    if runs:
        state.out.append(f'<path fill="#000" d="{"".join(runs)}"/>')


def _fd(state: _State, command: Command) -> None:
    if state.barcode is not None:
        _draw_barcode(state, state.barcode, command.params)
    else:
        _draw_text(state, command.params)


# ---------------------------------------------------------------------------------------------------------
# Text


def _decode(state: _State, data: str) -> str:
    if state.hex_indicator is None:
        return data
    return unhex(data, state.hex_indicator).decode("utf-8", errors="replace")


def _text_element(x: float, y: float, size: int, text: str, anchor: str, rotate: str) -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-family="{FONT}" font-weight="bold" '
        f'text-anchor="{anchor}"{rotate}>{html.escape(text)}</text>'
    )


_ANCHORS = {"L": "start", "J": "start", "C": "middle", "R": "end"}
_ROTATIONS = {"N": 0, "R": 90, "I": 180, "B": 270}


def _draw_text(state: _State, data: str) -> None:
    height = state.font_height
    char_width = (state.font_width or height) * 0.48  # ^A0 is a condensed face
    x, y = state.origin
    top = y - height if state.baseline else y
    angle = _ROTATIONS.get(state.rotation, 0)
    rotate = f' transform="rotate({angle} {x} {y})"' if angle else ""
    if state.block is None:
        state.out.append(_text_element(x, top + height * 0.82, height, _decode(state, data), "start", rotate))
        return
    width, max_lines, spacing, justify, _ = state.block
    lines: list[str] = []
    for paragraph in data.split("\\&"):  # the block's line break, before hex decoding (a data `\` is _5C)
        lines.extend(_wrap(_decode(state, paragraph), width, char_width))
    if len(lines) > max_lines:  # the printer writes the overflow over the last line; show it cut
        lines = lines[:max_lines]
    anchor = _ANCHORS[justify]
    anchor_x = x + {"start": 0, "middle": width / 2, "end": width}[anchor]
    for index, line in enumerate(lines):
        baseline = top + index * (height + spacing) + height * 0.82
        state.out.append(_text_element(anchor_x, baseline, height, line, anchor, rotate))


def _wrap(text: str, width: int, char_width: float) -> list[str]:
    if width <= 0:
        return [text]
    fits = max(1, int(width / char_width))
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= fits or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


# ---------------------------------------------------------------------------------------------------------
# Barcodes


def _bars(modules: str, x: float, y: float, module: int, height: int) -> str:
    """A module string ("1101…") as one path of bars."""
    runs = []
    index = 0
    while index < len(modules):
        if modules[index] == "1":
            end = index
            while end < len(modules) and modules[end] == "1":
                end += 1
            runs.append(f"M{x + index * module} {y}h{(end - index) * module}v{height}h-{(end - index) * module}Z")
            index = end
        else:
            index += 1
    return f'<path fill="#000" d="{"".join(runs)}"/>'


def _draw_barcode(state: _State, barcode: Command, data: str) -> None:
    args = barcode.args()
    x, y = state.origin
    if barcode.name in ("^BC", "^BE"):
        height = _int(_arg(args, 1), state.by[1], 1, 32000)
        if state.baseline:
            y -= height
        _draw_linear(state, barcode.name, args, _decode(state, data), x, y, height)
    elif barcode.name == "^BQ":
        text = _decode(state, data)
        ecl, _, payload = text.partition(",")
        magnification = _int(_arg(args, 2), 2, 1, 100)
        _draw_matrix(state, "QRCode", payload, x, y, magnification, ecl[:1] or "Q")
    elif barcode.name == "^BX":
        escape = _arg(args, 6)[:1] or "_"
        text = _decode(state, data)
        if text.startswith(escape + "1"):
            _placeholder(state, x, y, "GS1 DataMatrix")
            return
        module = _int(_arg(args, 1), 2, 1, 100)
        _draw_matrix(state, "DataMatrix", text.replace(escape * 2, escape), x, y, module, None)


def _draw_linear(state: _State, kind: str, args: list[str], text: str, x: int, y: int, height: int) -> None:
    from barcode.codex import Code128, Gs1_128
    from barcode.ean import EAN13

    module = state.by[0]
    human = (_arg(args, 2) or "Y").upper() != "N"
    if kind == "^BE":
        symbol = EAN13(text[:12])
        readable = symbol.get_fullcode()
    else:
        content, gs1 = code128_text(text)
        if gs1:
            symbol = Gs1_128(content.replace("\x1d", "\xf1"))
        else:
            symbol = Code128(content)
        readable = content.replace("\x1d", " ")
    modules = symbol.build()[0]
    state.out.append(_bars(modules, x, y, module, height))
    if human:
        size = max(16, module * 9)
        centre = x + len(modules) * module / 2
        state.out.append(_text_element(centre, y + height + size, size, readable, "middle", ""))


def _draw_matrix(state: _State, kind: str, text: str, x: int, y: int, module: int, ecl: str | None) -> None:
    import zxingcpp

    options = {"ec_level": ecl} if ecl else {}
    symbol = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, kind), **options)
    drawn = symbol.to_svg(add_quiet_zones=False)
    start = drawn.find(' d="')
    end = drawn.find('"', start + 4)
    if start < 0 or end < 0:
        return
    path = drawn[start + 4 : end]
    state.out.append(f'<path fill="#000" transform="translate({x} {y}) scale({module})" d="{html.escape(path)}"/>')


def _placeholder(state: _State, x: int, y: int, caption: str) -> None:
    state.out.append(
        f'<rect x="{x}" y="{y}" width="160" height="160" fill="none" stroke="#000" stroke-dasharray="8 6"/>'
        + _text_element(x + 80, y + 88, 18, caption, "middle", "")
    )


_HANDLERS = {
    "^PW": _pw,
    "^LL": _ll,
    "^LH": _lh,
    "^FO": _fo,
    "^FT": _fo,
    "^A": _font,
    "^CF": _cf,
    "^FB": _fb,
    "^FH": _fh,
    "^BY": _by,
    "^BC": _barcode,
    "^BE": _barcode,
    "^BQ": _barcode,
    "^BX": _barcode,
    "^GB": _gb,
    "^GF": _gf,
    "^FD": _fd,
    "^FS": _fs,
}
