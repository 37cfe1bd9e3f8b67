"""Reading labels back in the tests: the decoded text of every field."""

from __future__ import annotations

from labels.parse import code128_text, tokenize, unhex


def field_texts(zpl: bytes) -> list[str]:
    """Every ^FD's data as the printer would use it: ^FH escapes undone, ^FB line breaks as newlines,
    Code 128 invocation codes read."""
    texts, indicator, barcode = [], None, None
    for command in tokenize(zpl):
        if command.name == "^FH":
            indicator = command.params[:1] or "_"
        elif command.name in ("^BC", "^BE", "^BQ", "^BX"):
            barcode = command.name
        elif command.name == "^FD":
            # The printer undoes the hex escapes first, then reads block line breaks or barcode codes.
            lines = command.params.split("\\&") if barcode is None else [command.params]
            if indicator:
                lines = [unhex(line, indicator).decode("utf-8") for line in lines]
            if barcode == "^BC":
                lines = [code128_text(lines[0])[0]]
            texts.append("\n".join(lines))
        elif command.name == "^FS":
            indicator, barcode = None, None
    return texts
