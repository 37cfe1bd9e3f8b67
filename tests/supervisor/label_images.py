"""Read the barcodes off a label preview (an SVG from labels.preview) the way a scanner would: draw its dark
rectangles and straight-edged paths (the bars and modules) onto a bitmap and decode that with zxing-cpp."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from PIL import Image, ImageDraw

_PATH_TOKEN = re.compile(r"[MmHhVvLlZz]|-?[0-9]*\.?[0-9]+(?:e-?[0-9]+)?")
_NUMBER = re.compile(r"-?[0-9]*\.?[0-9]+(?:e-?[0-9]+)?")
_TRANSLATE = re.compile(r"translate\(\s*([-0-9.e]+)[ ,]*([-0-9.e]*)\s*\)")
_SCALE = re.compile(r"scale\(\s*([-0-9.e]+)[ ,]*([-0-9.e]*)\s*\)")
SCALE = 2  # bitmap pixels per SVG user unit (a preview's unit is a printer dot)


def _length(value: str | None) -> float:
    found = _NUMBER.match((value or "0").strip())
    return float(found.group(0)) if found else 0.0


def _dark(el) -> bool:
    fill = el.get("fill") or ""
    style = el.get("style") or ""
    if "fill:" in style:
        fill = style.split("fill:", 1)[1].split(";", 1)[0].strip()
    return fill.lower() in ("black", "#000", "#000000", "rgb(0,0,0)", "")


def _transform(el, origin: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    dx, dy, sx, sy = origin
    text = el.get("transform") or ""
    for found in _TRANSLATE.finditer(text):
        dx, dy = dx + sx * float(found.group(1)), dy + sy * float(found.group(2) or 0)
    for found in _SCALE.finditer(text):
        sx, sy = sx * float(found.group(1)), sy * float(found.group(2) or found.group(1))
    return dx, dy, sx, sy


def _polygons(d: str) -> list[list[tuple[float, float]]]:
    """The closed outlines of a path of straight moves (M, L, H, V, Z, absolute or relative): the bars."""
    shapes, points, command = [], [], "M"
    x = y = 0.0
    tokens = _PATH_TOKEN.findall(d)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isalpha():
            command = token
            i += 1
            if command in "Zz":
                if points:
                    shapes.append(points)
                points = []
            continue
        if command in "MmLl":
            dx, dy = float(tokens[i]), float(tokens[i + 1])
            x, y = (x + dx, y + dy) if command.islower() else (dx, dy)
            if command in "Mm" and points:
                shapes.append(points)
                points = []
            points.append((x, y))
            command = {"M": "L", "m": "l"}.get(command, command)
            i += 2
        elif command in "Hh":
            x = x + float(token) if command == "h" else float(token)
            points.append((x, y))
            i += 1
        elif command in "Vv":
            y = y + float(token) if command == "v" else float(token)
            points.append((x, y))
            i += 1
        else:
            i += 1
    if points:
        shapes.append(points)
    return shapes


def rasterize(svg: str) -> Image.Image:
    root = ET.fromstring(svg.encode())
    view = (root.get("viewBox") or "").split()
    width, height = (float(view[2]), float(view[3])) if len(view) == 4 else (
        _length(root.get("width")), _length(root.get("height")))
    image = Image.new("L", (int(width * SCALE) + 1, int(height * SCALE) + 1), 255)
    draw = ImageDraw.Draw(image)

    def walk(el, origin):
        here = _transform(el, origin)
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "svg" and el is not root:
            here = (here[0] + here[2] * _length(el.get("x")), here[1] + here[3] * _length(el.get("y")),
                    here[2], here[3])
        if tag == "rect" and _dark(el) and not (el.get("width") or "").endswith("%"):
            dx, dy, sx, sy = here
            x, y = dx + sx * _length(el.get("x")), dy + sy * _length(el.get("y"))
            w, h = sx * _length(el.get("width")), sy * _length(el.get("height"))
            draw.rectangle([x * SCALE, y * SCALE, (x + w) * SCALE - 1, (y + h) * SCALE - 1], fill=0)
        if tag == "path" and _dark(el):
            dx, dy, sx, sy = here
            for shape in _polygons(el.get("d") or ""):
                if len(shape) > 2:
                    draw.polygon([((dx + sx * px) * SCALE, (dy + sy * py) * SCALE) for px, py in shape], fill=0)
        for child in el:
            walk(child, here)

    walk(root, (0.0, 0.0, 1.0, 1.0))
    return image


def decode_svg(svg: str) -> list[str]:
    """The text of every barcode the preview shows."""
    import zxingcpp
    return [found.text for found in zxingcpp.read_barcodes(rasterize(svg))]
