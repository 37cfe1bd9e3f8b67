"""The ZPL element model: escaping, Code 128 / GS1-128 field data, scaling, fonts, graphics."""

from __future__ import annotations

import pytest
from PIL import Image as PILImage

from labels import zpl
from labels.parse import code128_text, command_names, unhex
from labels.zpl import (
    FNC1,
    Barcode128,
    Box,
    DataMatrix,
    Graphic,
    Image,
    Label,
    Line,
    QrCode,
    Text,
    TextBlock,
    code128_field,
    escape_line,
    gs1_elements,
    gs1_tokens,
)


def test_escape_line_hexes_every_command_character():
    assert escape_line("a^b~c_d\\e") == "a_5Eb_7Ec_5Fd_5Ce"
    assert escape_line("\x00\x1b\x7f") == "_00_1B_7F"
    assert escape_line("one\ntwo\r\tthree") == "one two  three"
    assert escape_line("Жанна 王 é") == "Жанна 王 é"  # UTF-8 is safe: none of its bytes is ^, ~ or below 0x80
    for text in ("_41", "__5E", "^XZ^XA", "\\&", "ü^ü"):
        assert unhex(escape_line(text)).decode() == text


@pytest.mark.parametrize(
    "data, field, symbols",
    [
        ("12", ">;12", 2),
        ("1234", ">;1234", 3),
        ("12345AB", ">;1234>65AB", 7),  # odd run: pairs, then subset B
        ("1234A", ">;12>634A", 6),  # never one character alone after a subset change (see code128_field)
        ("123", ">:123", 4),
        ("1Z999AA10123456784", ">:1Z999AA10123456784", 19),
        ("A^B~C>D_E", ">:A><B>=C>0D_5FE", 10),  # ^ ~ > as invocation codes, _ as ^FH hex
        (FNC1 + "00006141411234567890", ">;>800006141411234567890", 12),
        (FNC1 + "42127610115", ">;>842127610>6115", 10),
    ],
)
def test_code128_field(data, field, symbols):
    assert code128_field(data) == (field, symbols)
    text, gs1 = code128_text(unhex(field).decode())
    assert (text, gs1) == (data.lstrip(FNC1), data.startswith(FNC1))


@pytest.mark.parametrize("bad", ["é", "\n", "中"])
def test_code128_refuses_what_it_cannot_encode(bad):
    with pytest.raises(ValueError, match="Code 128 cannot encode"):
        code128_field(f"A{bad}")


def test_gs1_separators_only_after_variable_length_elements():
    elements = [("02", "09501101530003"), ("37", "24"), ("10", "12AB34")]
    assert gs1_tokens(elements) == f"{FNC1}0209501101530003" + f"3724{FNC1}" + "1012AB34"
    # gs1.md §6: ^FD>;>802095011015300033724>810>612AB34^FS (the same symbols, our subset change after "12")
    assert code128_field(gs1_tokens(elements))[0] == ">;>802095011015300033724>81012>6AB34"
    assert gs1_elements("(00)006141411234567890(420)78701") == [("00", "006141411234567890"), ("420", "78701")]


@pytest.mark.parametrize(
    "bad, message",
    [("(00)12345", "takes 18 digits"), ("00123", "must be .AI.value pairs"), ("(ABC)1", "application identifier"),
     ("(10)Aé", "82-character set"), ("(10)", "82-character set")],
)
def test_gs1_elements_are_checked(bad, message):
    with pytest.raises(ValueError, match=message):
        gs1_elements(bad)


def test_a_label_at_300_dpi_scales_positions_and_whole_dot_modules():
    label = Label(4, 6, 300).add(
        Text(100, 200, "x", height=30), Barcode128(0, 0, "(00)006141411234567890", module=4, gs1=True),
        Barcode128(0, 0, "AB", module=2), Line(0, 10, 812, 3),
    )
    text = label.zpl().decode()
    assert text.startswith("^XA^CI28^PW1200^LL1800^LH0,0^FO148,296^A0N,44,0")
    assert "^BY6,3,148" in text and "^BY3,3,148" in text  # 4 → 6 and 2 → 3 dots (zpl.md: ^BY4 → ^BY6)
    assert "^GB1200,4,4,B,0" in text
    assert text.endswith("^PQ1^XZ")
    at_203 = Label(dpi=203).add(Text(100, 200, "x")).zpl().decode()
    assert at_203.startswith("^XA^CI28^PW812^LL1218^LH0,0^FO100,200")


def test_label_checks_its_arguments():
    with pytest.raises(ValueError, match="resolution"):
        Label(dpi=250)
    with pytest.raises(ValueError, match="rotation"):
        Text(0, 0, "x", rotation="X")
    with pytest.raises(ValueError, match="block_width"):
        Text(0, 0, "x", justify="C")


def test_text_options():
    assert Text(1, 2, "x", height=40, width=30, rotation="R").zpl(1.0) == "^FO1,2^A0R,40,30^FH_^FDx^FS"
    assert Text(1, 2, "x", justify="C", block_width=300, reverse=True).zpl(1.0) == (
        "^FO1,2^FR^A0N,30,0^FB300,1,0,C,0^FH_^FDx^FS"
    )
    assert Text(1, 2, "中", font="E:ANMDS.TTF").zpl(1.0) == "^FO1,2^A@N,30,0,E:ANMDS.TTF^FH_^FD中^FS"
    block = TextBlock(0, 0, ["a\\b", "c^d\ne"], block_width=400, max_lines=3, justify="R", indent=10)
    assert block.zpl(1.0) == "^FO0,0^A0N,30,0^FB400,3,0,R,10^FH_^FDa_5Cb\\&c_5Ed\\&e^FS"


def test_two_dimensional_codes_escape_their_data():
    assert QrCode(5, 6, "a^b_c", magnification=5, ecl="M").zpl(1.0) == "^FO5,6^BQN,2,5^FH_^FDMA,a_5Eb_5Fc^FS"
    # DataMatrix: ^BX's own escape is "_", so ^FH uses "\" and a data "_" is doubled.
    assert DataMatrix(0, 0, "a_b^c~\\", module=4).zpl(1.0) == (
        "^FO0,0^BXN,4,200,0,0,,_^FH\\^FDa__b\\5Ec\\7E\\5C^FS"
    )
    gs1 = DataMatrix(0, 0, [("01", "09501101530003"), ("10", "AB"), ("21", "X")], gs1=True)
    assert gs1.field_data() == "_10109501101530003" + "10AB_121X"
    for element, command in ((QrCode(0, 0, "^XZ~JA"), "^BQ"), (DataMatrix(0, 0, "^XZ~JA"), "^BX")):
        assert command_names(Label().add(element).zpl()) == [
            "^XA", "^CI", "^PW", "^LL", "^LH", "^FO", command, "^FH", "^FD", "^FS", "^PQ", "^XZ",
        ]


def test_boxes_and_lines():
    assert Box(10, 20, 300, 100, 4, rounding=2).zpl(1.0) == "^FO10,20^GB300,100,4,B,2^FS"
    assert Line(0, 5, 812, 3, vertical=True).zpl(1.0) == "^FO0,5^GB3,812,3,B,0^FS"
    with pytest.raises(ValueError):
        Box(0, 0, 1, 1, color="R")


def test_graphic_and_image_are_1_bit_rows():
    assert Graphic(1, 2, bytes([0x80, 0x01]), 1).zpl(1.0) == "^FO1,2^GFA,2,2,1,8001^FS"
    picture = PILImage.new("L", (10, 2), 255)
    picture.putpixel((0, 0), 0)
    picture.putpixel((9, 1), 0)
    image = Image(0, 0, picture)
    rows = image.graphic(1.0).rows
    assert rows == bytes([0x80, 0x00, 0x00, 0x40]) and image.graphic(1.0).bytes_per_row == 2
    assert "^GFA,4,4,2,80000040^FS" in image.zpl(1.0)
    assert image.graphic(300 / 203).bytes_per_row == 2  # 15 dots wide at 300 dpi


def test_field_data_never_holds_a_prefix_character():
    label = Label().add(
        Text(0, 0, "^~"), TextBlock(0, 0, "^~", 100), Barcode128(0, 0, "^~"), QrCode(0, 0, "^~"),
        DataMatrix(0, 0, "^~"),
    )
    names = command_names(label.zpl())
    assert not [name for name in names if name.startswith("~")]
    assert names.count("^FD") == 5 and names.count("^XZ") == 1


def test_units():
    assert zpl.mm(25.4) == 203 and zpl.inches(4) == 812 and round(zpl.dots_to_mm(8), 2) == 1.0


def test_labels_is_pure():
    """labels/ takes plain values and returns bytes: nothing from server/, Flask or the database."""
    import ast
    from pathlib import Path

    package = Path(zpl.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
            for name in names:
                assert name.split(".")[0] not in ("server", "flask", "sqlalchemy", "apiflask"), (path.name, name)
