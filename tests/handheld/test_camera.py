"""Camera scanning on the handheld (issue 11): Chromium's fake camera shows an item's barcode, the Move screen takes it.

The fake camera plays a .y4m file made here from a barcode image and loops its one picture for ever: the
double-scan case. Linux Chromium has no BarcodeDetector, so frames are read by the vendored zxing-wasm; with the
.wasm blocked they go to POST /api/decode instead. Either way nothing may leave the app's own origin.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import sqlalchemy as sa
import zxingcpp
from playwright.sync_api import expect

from tests.handheld.steps import GTIN13, fresh_session, open_task, sign_in, wedge_scan

FRAMES_MORE = 16  # ~2 s of frames at one read every ~120 ms: time enough for a second scan to show up
# Keeps every stream the page opens, so a test can check that closing the camera really stopped it.
KEEP_STREAMS = """window.__streams = [];
const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (c) => { const s = await getUserMedia(c); window.__streams.push(s); return s; };"""


def barcode_frame(code: str, width: int = 640, height: int = 480) -> np.ndarray:
    """An EAN-13 of `code` (with its quiet zones) in the middle of a white frame, as BGR."""
    symbol = np.array(zxingcpp.create_barcode(code, zxingcpp.BarcodeFormat.EAN13).to_image(scale=3))
    frame = np.full((height, width), 255, np.uint8)
    top, left = (height - symbol.shape[0]) // 2, (width - symbol.shape[1]) // 2
    frame[top:top + symbol.shape[0], left:left + symbol.shape[1]] = symbol
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def write_y4m(path, bgr: np.ndarray, frames: int = 2) -> None:
    """A YUV4MPEG2 file (I420) of `frames` copies of one picture, as Chromium's fake camera reads it."""
    height, width = bgr.shape[:2]
    planes = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).tobytes()
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + planes)


@pytest.fixture
def mugs_on_dock(floor):
    """8 Blue mugs (EAN-13 GTIN13) on DOCK-1, to move."""
    from server.http import run_in_transaction
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    run_in_transaction(lambda: adjust_stock(item_code="SKU-1001", location_code="DOCK-1", delta=8, reason="found",
                                            actor=Actor(user_id=None)))


class CameraBrowser:
    """A Chromium of its own whose camera films the Blue mug's barcode; it records every request and page error."""

    def __init__(self, browser_type, launch_args: dict, video, live_server: str, **context_args):
        args = [*launch_args.get("args", []), "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}"]
        self.browser = browser_type.launch(**{**launch_args, "args": args})
        self.context = self.browser.new_context(viewport={"width": 360, "height": 640}, permissions=["camera"],
                                                **context_args)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.add_init_script(KEEP_STREAMS)
        self.origin = live_server

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin + "/")]


@pytest.fixture
def camera_browser(browser_type, browser_type_launch_args, live_server, tmp_path):
    video = tmp_path / "mug.y4m"
    write_y4m(video, barcode_frame(GTIN13))
    opened: list[CameraBrowser] = []

    def launch(**context_args) -> CameraBrowser:
        opened.append(CameraBrowser(browser_type, browser_type_launch_args, video, live_server, **context_args))
        return opened[-1]

    yield launch
    for cam in opened:
        cam.browser.close()


def scans_of(code: str) -> int:
    """How many times /api/scan was asked about `code` (the scan log has a row per scan)."""
    from server.extensions import db
    from server.scanning.models import ScanLog
    fresh_session()
    n = db.session.scalar(sa.select(sa.func.count()).select_from(ScanLog).where(ScanLog.code == code))
    fresh_session()
    return n


def move_from_dock(cam: CameraBrowser, live_server: str, user) -> None:
    """Sign in, open Move, scan DOCK-1 with the wedge, then tap the camera button."""
    page = cam.page
    sign_in(page, live_server, user)
    open_task(page, "move", "move")
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    expect(page.locator("#camera")).to_be_hidden()
    page.locator("#scan-camera").click()
    expect(page.locator("#camera")).to_be_visible()
    expect(page.locator("#scan-camera")).to_have_attribute("aria-pressed", "true")


def keep_filming(page, frames: int = FRAMES_MORE) -> None:
    """Wait until the camera has read `frames` more frames, the barcode still in view."""
    seen = int(page.locator("#camera").get_attribute("data-frames") or 0)
    # A function, not an expression: the page's CSP refuses the eval() an expression would need.
    page.wait_for_function("(n) => Number(document.getElementById('camera').dataset.frames) >= n",
                           arg=seen + frames, timeout=15000)


def test_the_camera_scans_an_item_into_the_move_flow_once(camera_browser, mugs_on_dock, live_server, users, tmp_path):
    cam = camera_browser()
    page = cam.page
    move_from_dock(cam, live_server, users["picker"])

    expect(page.locator("#item-name")).to_have_text("Blue mug", timeout=15000)
    expect(page.locator("#prompt")).to_have_text("Scan where it goes")
    # The viewfinder covers the item card: the line under it says what was read and what comes next.
    expect(page.locator("#camera-status")).to_have_text(f"Read {GTIN13}: Scan where it goes")
    page.screenshot(path=str(tmp_path / "move-camera.png"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360

    # The same picture for ~2 s more: one scan, not a count-up per frame.
    keep_filming(page)
    expect(page.locator("#qty")).to_have_value("1")
    assert scans_of(GTIN13) == 1

    page.locator("#camera-close").click()
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.locator("#scan-camera")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__streams.flatMap((s) => s.getTracks()).every((t) => t.readyState === 'ended')")
    assert page.evaluate("window.__streams.length") == 1

    wedge_scan(page, "A-01-02")  # the flow goes on with the wedge as usual
    expect(page.locator("#outcome")).to_have_text("Moved 1 × SKU-1001 from DOCK-1 to A-01-02.")
    assert any(url.endswith("/vendor/zxing-wasm/zxing_reader.wasm") for url in cam.requests)
    assert not any("/api/decode" in url for url in cam.requests)  # read in the browser
    assert cam.foreign_requests() == []
    assert cam.errors == []


def test_without_the_wasm_decoder_the_server_reads_the_frames(camera_browser, mugs_on_dock, live_server, users):
    # The service worker would answer the .wasm from its cache, out of the route's reach: none here.
    cam = camera_browser(service_workers="block")
    page = cam.page
    page.route("**/zxing_reader.wasm", lambda route: route.abort())
    move_from_dock(cam, live_server, users["picker"])

    expect(page.locator("#item-name")).to_have_text("Blue mug", timeout=20000)
    expect(page.locator("#camera-status")).to_have_text(f"Read {GTIN13}: Scan where it goes")
    keep_filming(page, frames=3)  # a frame each ~700 ms, each one read by the server
    expect(page.locator("#qty")).to_have_value("1")
    assert scans_of(GTIN13) == 1
    assert any(url.endswith("/api/decode") for url in cam.requests)
    assert cam.foreign_requests() == []
    assert cam.errors == []


def test_with_the_decoder_cached_the_camera_reads_with_no_network(camera_browser, mugs_on_dock, live_server, users):
    cam = camera_browser()
    page = cam.page
    sign_in(page, live_server, users["picker"])
    assert page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        return Boolean(await caches.match('/hh/static/vendor/zxing-wasm/zxing_reader.wasm'))
            && Boolean(await caches.match('/hh/static/js/camera.js'));
    }""")
    cam.context.set_offline(True)
    open_task(page, "move", "move")
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    page.locator("#scan-camera").click()
    # Read in the browser from the cached decoder; offline the item is shown by its code until the server checks it.
    expect(page.locator("#item-name")).to_have_text(GTIN13, timeout=15000)
    expect(page.locator("#prompt")).to_have_text("Scan where it goes")
    assert cam.errors == []


def test_leaving_the_page_unseen_stops_the_camera(camera_browser, mugs_on_dock, live_server, users):
    cam = camera_browser()
    page = cam.page
    move_from_dock(cam, live_server, users["picker"])
    expect(page.locator("#item-name")).to_have_text("Blue mug", timeout=15000)
    # What the browser does when the phone locks or another app comes up.
    page.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    expect(page.locator("#camera")).to_be_hidden()
    assert page.evaluate("window.__streams.flatMap((s) => s.getTracks()).every((t) => t.readyState === 'ended')")


def test_a_refused_camera_says_so_in_the_error_overlay(page, live_server, users):
    page.add_init_script("""navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException("Permission denied", "NotAllowedError"));""")
    sign_in(page, live_server, users["picker"])
    open_task(page, "move", "move")
    page.locator("#scan-camera").click()
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-title")).to_have_text("Camera")
    expect(page.locator("#error-detail")).to_contain_text("not allowed")
    expect(page.locator("#camera")).to_be_hidden()
    page.locator("#error-ok").click()
    expect(page.locator("#scan")).to_be_focused()


def test_the_repeat_rule_counts_a_code_again_only_after_a_second_out_of_view(page, live_server):
    page.goto(live_server + "/hh/")
    admitted = page.evaluate("""async () => {
        const { admitCodes } = await import("/hh/static/js/camera.js");
        let present = new Map();
        const frame = (codes, at) => {
            const r = admitCodes(present, codes, at, 1000);
            present = r.present;
            return r.fresh;
        };
        return [
            frame(["A"], 0),           // comes into view: counts
            frame(["A"], 120),         // the next frame: no
            frame([], 240),            // a frame that missed it (blur)
            frame(["A"], 900),         // back within the second: still the same scan
            frame(["A", "B"], 1000),   // another code counts at once
            frame([], 1500),
            frame([], 2000),           // A unseen since 1000: gone; B too
            frame(["A"], 2100),        // A again after a second out of view: counts again
            frame(["A"], 4000),        // slow frames, never one without it: not again
        ];
    }""")
    assert admitted == [["A"], [], [], [], ["B"], [], [], ["A"], []]
