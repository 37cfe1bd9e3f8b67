"""~HS answers in the printer's own format (zpl.md §6) → named flags; the virtual printer answers ~HS with the
flags it is told, keeps each job's bytes and splits them into labels. No database."""

from __future__ import annotations

import socket
import threading

import pytest

from server.printing.status import StatusUnreadable, parse_host_status, query_host_status
from server.printing.virtual_printer import VirtualPrinter, split_labels

# A ready Zebra (GK420d-like, 4x6 in at 203 dpi, direct thermal) and one with the head open, paused, paper out,
# 3 formats in its buffer and 7 labels left in the batch, as they come off the wire (STX…ETX CR LF, three times).
READY = b"\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02000,0,0,0,0,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"
TROUBLE = (b"\x02030,1,1,1218,003,0,0,0,000,0,0,1\x03\r\n\x02001,0,1,1,1,2,6,0,00000007,1,000\x03\r\n"
           b"\x021234,0\x03\r\n")


def test_a_ready_printer_has_no_problem_flags():
    status = parse_host_status(READY)
    assert status.ready and status.problems == []
    assert (status.label_length_dots, status.formats_in_buffer, status.print_mode) == (1218, 0, 2)


def test_each_flag_is_read_from_its_field():
    status = parse_host_status(TROUBLE)
    assert (status.paper_out, status.paused, status.head_open, status.ribbon_out, status.over_temperature) == (
        True, True, True, True, True)
    assert (status.formats_in_buffer, status.labels_remaining, status.thermal_transfer) == (3, 7, True)
    assert status.problems == ["paper_out", "head_open", "paused", "ribbon_out", "over_temperature"]
    assert not status.ready and status.as_dict()["problems"] == status.problems


def test_ribbon_out_counts_only_in_thermal_transfer_mode():
    direct = READY.replace(b"000,0,0,0,0,2", b"000,0,0,1,0,2")  # p=1 but q=0: no ribbon needed
    assert parse_host_status(direct).ready


@pytest.mark.parametrize("answer", [b"", b"\x02garbage\x03", b"\x02030,0,0\x03\r\n\x02000,0\x03\r\n"])
def test_an_answer_that_is_not_host_status_is_refused(answer):
    with pytest.raises(StatusUnreadable):
        parse_host_status(answer)


def test_a_printer_that_says_nothing_is_an_error_not_ready():
    """Some Zebras stay silent to ~HS while the media is out: the read times out."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        with pytest.raises(OSError):
            query_host_status("127.0.0.1", silent.getsockname()[1], timeout=0.3)
    finally:
        silent.close()


@pytest.fixture
def printer(tmp_path):
    server = VirtualPrinter("127.0.0.1", 0, tmp_path / "spool")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_virtual_printer_answers_host_status_with_its_flags(printer):
    assert query_host_status("127.0.0.1", printer.port).ready
    printer.flags["paper_out"] = True
    assert query_host_status("127.0.0.1", printer.port).problems == ["paper_out"]
    (printer.spool / "status.json").write_text('{"paper_out": false, "head_open": true}')  # a running printer
    assert query_host_status("127.0.0.1", printer.port).problems == ["head_open"]
    assert printer.received() == []  # a status query is no job


def test_the_virtual_printer_keeps_a_job_and_splits_it_into_labels(printer):
    job = "^XA^CI28^FO10,10^FDПривет 你好^FS^XZ\n^XA^FO0,0^FDtwo^FS^XZ".encode()
    with socket.create_connection(("127.0.0.1", printer.port)) as conn:
        conn.sendall(job[:7])
        conn.sendall(b"~H")  # a ~HS inside a job, split across two sends, is answered and left out of it
        conn.sendall(b"S" + job[7:])
        conn.shutdown(socket.SHUT_WR)
        assert conn.recv(1024).startswith(b"\x02030,0,0,")
    deadline = threading.Event()
    for _ in range(50):
        if printer.received():
            break
        deadline.wait(0.02)
    assert printer.received() == [job]
    assert printer.received_labels() == split_labels(job) == [job.split(b"\n")[0], job.split(b"\n")[1]]
