"""Load every page of the built book in a real browser and report what a reader would see broken.

Debian's chromium runs headless and is driven over the Chrome DevTools Protocol (a
websocket; tornado's client, already in the pinned stack, so nothing is downloaded).
The pages are served over a localhost http server. For each page it waits for the load
event and for ``MathJax.startup.promise``, then reports:

* math that was not typeset: a ``.math`` element without an ``mjx-container``, or raw
  TeX (``\\(``, ``\\[``, ``$$``, ``\\begin{``, ``$..\\cmd..$``) left in the text outside code;
* MathJax errors (``merror`` nodes), and a page whose MathJax never started;
* images that did not load (``naturalWidth == 0``);
* failed requests (network errors, HTTP status >= 400) and any request that leaves
  localhost (the book must read offline);
* console errors and uncaught exceptions;
* internal links to files that are not in the build.

Usage as a script: ``python tests/browser_check.py _build/html``; with
``--screenshot book/sigmoidal.html#anchor out.png`` it saves a screenshot instead.
"""
from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-quic", "--disable-extensions", "--mute-audio", "--window-size=1280,900"]

# Runs in the page once it has loaded; returns a JSON-able report.
PAGE_JS = r"""
(async () => {
  const sleep = (ms) => new Promise(r => setTimeout(r, ms));
  let mathjax = "absent";
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    mathjax = await Promise.race([
      MathJax.startup.promise.then(() => "typeset", (e) => "error: " + e),
      sleep(30000).then(() => "timeout")]);
  } else if (document.querySelector('script[src*="mathjax"]')) {
    mathjax = "script present but MathJax did not start";
  }
  // Images: give each one a chance to finish, then look at its natural size.
  const imgs = [...document.images];
  await Promise.race([Promise.all(imgs.map(i => i.complete ? 0 :
      new Promise(r => { i.onload = i.onerror = r; }))), sleep(15000)]);
  const brokenImages = imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                           .map(i => i.getAttribute("src"));
  const mathEls = [...document.querySelectorAll(".math")];
  const untypesetEls = mathEls.filter(e => !e.querySelector("mjx-container"))
                              .map(e => e.textContent.trim().slice(0, 80));
  const merrors = [...document.querySelectorAll('mjx-merror, [data-mml-node="merror"]')]
                      .map(e => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 80));
  // Raw TeX left in the visible text (code, scripts and typeset math excluded).
  const skip = "script, style, pre, code, kbd, samp, textarea, mjx-container, .highlight";
  const raw = [];
  const pattern = /\\\(|\\\[|\$\$|\\begin\{|\$[^$\s][^$]*\\[A-Za-z]+[^$]*\$/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && n.parentElement.closest(skip)) continue;
    const m = n.textContent.match(pattern);
    if (m) raw.push(n.textContent.trim().slice(0, 80));
  }
  const links = [...document.querySelectorAll("a[href]")].map(a => a.href);
  return {url: location.href, title: document.title, mathjax,
          math: mathEls.length, typeset: document.querySelectorAll("mjx-container").length,
          untypeset: untypesetEls, merrors, raw, images: imgs.length, brokenImages, links};
})()
"""


@dataclass
class PageReport:
    path: str
    url: str = ""
    title: str = ""
    math: int = 0
    typeset: int = 0
    images: int = 0
    problems: list[str] = field(default_factory=list)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


class _CDP:
    """A minimal Chrome DevTools Protocol client: commands by id, events kept in order."""

    def __init__(self, ws):
        self.ws, self.next_id, self.pending, self.events = ws, 0, {}, []
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        while True:
            msg = await self.ws.read_message()
            if msg is None:
                for fut in self.pending.values():
                    if not fut.done():
                        fut.set_exception(ConnectionError("browser closed the connection"))
                return
            m = json.loads(msg)
            if "id" in m and m["id"] in self.pending:
                fut = self.pending.pop(m["id"])
                if "error" in m:
                    fut.set_exception(RuntimeError(f"{m['error']}"))
                else:
                    fut.set_result(m.get("result", {}))
            elif "method" in m:
                self.events.append(m)

    async def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.write_message(json.dumps(msg))
        return await asyncio.wait_for(fut, timeout)

    async def wait_for(self, method, start, count=1, timeout=60):
        """Wait until ``count`` events named ``method`` arrived after index ``start``."""
        deadline = time.monotonic() + timeout
        while sum(e["method"] == method for e in self.events[start:]) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            await asyncio.sleep(0.05)


def pages_of(html_dir: Path) -> list[Path]:
    """Every HTML page of the build (sources and static assets excluded)."""
    return sorted(p for p in html_dir.rglob("*.html")
                  if not {"_static", "_sources", "_images"} & set(p.relative_to(html_dir).parts))


def _redirect_target(page: Path) -> bool:
    head = page.read_text(encoding="utf-8", errors="replace")[:2000].lower()
    return 'http-equiv="refresh"' in head


class _Browser:
    """Headless chromium on a fresh profile, one page target attached (flattened session)."""

    def __init__(self, user_data: str, width: int = 1280, height: int = 900):
        self.user_data, self.size = user_data, (width, height)

    async def __aenter__(self):
        from tornado.websocket import websocket_connect

        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={self.user_data}",
                                      "--remote-debugging-port=0", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.user_data) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self._stop()
                raise RuntimeError("chromium did not open its DevTools port")
            await asyncio.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.ws = await websocket_connect(f"ws://127.0.0.1:{port}{path}", max_message_size=1 << 28)
        self.cdp = _CDP(self.ws)
        target = (await self.cdp.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
        self.session = (await self.cdp.send("Target.attachToTarget",
                                            {"targetId": target, "flatten": True}))["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            await self.send(f"{domain}.enable")
        width, height = self.size
        await self.send("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return self

    async def send(self, method, params=None, timeout=60):
        return await self.cdp.send(method, params, session=self.session, timeout=timeout)

    async def load(self, url: str, loads: int = 1) -> tuple[int, dict]:
        """Navigate, wait for ``loads`` load events, run PAGE_JS; (first event index, result)."""
        start = len(self.cdp.events)
        await self.send("Page.navigate", {"url": url})
        await self.cdp.wait_for("Page.loadEventFired", start, loads)
        res = await self.send("Runtime.evaluate", {"expression": PAGE_JS, "awaitPromise": True,
                                                   "returnByValue": True}, timeout=120)
        return start, res

    def _stop(self):
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    async def __aexit__(self, *exc):
        try:
            await self.cdp.send("Browser.close", timeout=10)
            self.ws.close()
        finally:
            self._stop()


async def _check(html_dir: Path, base: str, pages: list[Path], user_data: str) -> list[PageReport]:
    reports = []
    async with _Browser(user_data) as browser:
        cdp, session = browser.cdp, browser.session
        for page in pages:
            rel = page.relative_to(html_dir).as_posix()
            rep = PageReport(rel)
            start, res = await browser.load(base + rel, 2 if _redirect_target(page) else 1)
            if "exceptionDetails" in res:
                rep.problems.append(f"check script failed: {res['exceptionDetails']}")
                reports.append(rep)
                continue
            r = res["result"]["value"]
            rep.url, rep.title = r["url"], r["title"]
            rep.math, rep.typeset, rep.images = r["math"], r["typeset"], r["images"]
            if r["math"] and r["mathjax"] != "typeset":
                rep.problems.append(f"MathJax: {r['mathjax']}")
            rep.problems += [f"untypeset math element: {t!r}" for t in r["untypeset"]]
            rep.problems += [f"MathJax error: {t!r}" for t in r["merrors"]]
            rep.problems += [f"raw TeX in text: {t!r}" for t in r["raw"]]
            rep.problems += [f"image did not load: {s}" for s in r["brokenImages"]]
            for link in r["links"]:
                url = urldefrag(link)[0]
                if url.startswith(base):
                    target_file = html_dir / unquote(urlparse(url).path).lstrip("/")
                    if target_file.is_dir():
                        target_file = target_file / "index.html"
                    if not target_file.exists():
                        rep.problems.append(f"broken internal link: {link}")
            for e in cdp.events[start:]:
                if e.get("sessionId") != session:
                    continue
                m, p = e["method"], e["params"]
                if m == "Network.requestWillBeSent":
                    url = p["request"]["url"]
                    if not url.startswith((base, "data:", "blob:", "about:")):
                        rep.problems.append(f"request leaves localhost: {url}")
                elif m == "Network.loadingFailed" and not p.get("canceled"):
                    rep.problems.append(f"request failed: {p.get('errorText')} ({p.get('type')})")
                elif m == "Network.responseReceived" and p["response"]["status"] >= 400:
                    rep.problems.append(f"HTTP {p['response']['status']}: {p['response']['url']}")
                elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                    text = " ".join(str(a.get("value", a.get("description", "")))
                                    for a in p.get("args", []))
                    rep.problems.append(f"console {p['type']}: {text[:200]}")
                elif m == "Runtime.exceptionThrown":
                    d = p["exceptionDetails"]
                    text = d.get("exception", {}).get("description") or d.get("text")
                    rep.problems.append(f"uncaught exception: {str(text)[:200]}")
                elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                    rep.problems.append(f"browser log error: {p['entry']['text'][:200]}")
            reports.append(rep)
    return reports


async def _screenshot(base: str, page: str, out: Path, user_data: str, width: int, height: int):
    import base64

    async with _Browser(user_data, width, height) as browser:
        path, _, anchor = page.partition("#")
        await browser.load(base + path)
        if anchor:
            await browser.send("Runtime.evaluate", {"expression":
                               f"document.getElementById({json.dumps(anchor)}).scrollIntoView()"})
            await asyncio.sleep(0.5)
        shot = await browser.send("Page.captureScreenshot", {"format": "png"})
        out.write_bytes(base64.b64decode(shot["data"]))


class _Served:
    """``html_dir`` served on a free localhost port, and a scratch chromium profile."""

    def __init__(self, html_dir):
        self.html_dir = Path(html_dir).resolve()

    def __enter__(self):
        handler = functools.partial(_Quiet, directory=str(self.html_dir))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.user_data = tempfile.mkdtemp(prefix="chromium-")
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self.user_data, ignore_errors=True)


def check_book(html_dir) -> list[PageReport]:
    """Serve ``html_dir`` on localhost, load each of its pages in chromium, return the reports."""
    with _Served(html_dir) as srv:
        return asyncio.run(_check(srv.html_dir, srv.base, pages_of(srv.html_dir), srv.user_data))


def screenshot(html_dir, page: str, out, width: int = 1280, height: int = 860) -> None:
    """PNG of ``page`` (e.g. ``book/sigmoidal.html#cross-check``) once MathJax has typeset it."""
    with _Served(html_dir) as srv:
        asyncio.run(_screenshot(srv.base, page, Path(out), srv.user_data, width, height))


def summary(reports: list[PageReport]) -> str:
    lines = [f"{len(reports)} pages, {sum(r.math for r in reports)} math elements "
             f"({sum(r.typeset for r in reports)} typeset by MathJax), "
             f"{sum(r.images for r in reports)} images"]
    for r in reports:
        lines.append(f"  {r.path}: {r.math} math, {r.images} images"
                     + (f", {len(r.problems)} PROBLEMS" if r.problems else ""))
        lines += [f"    - {p}" for p in r.problems]
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html_dir", nargs="?", default="_build/html")
    ap.add_argument("--screenshot", nargs=2, metavar=("PAGE", "PNG"),
                    help="save a screenshot of PAGE (path in the build, #anchor allowed) instead")
    ap.add_argument("--size", default="1280x860", help="window size for --screenshot")
    args = ap.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} not found: apt-get install -y chromium")
    if args.screenshot:
        w, h = map(int, args.size.split("x"))
        screenshot(args.html_dir, *args.screenshot, width=w, height=h)
        sys.exit(0)
    reps = check_book(args.html_dir)
    print(summary(reps))
    sys.exit(1 if any(r.problems for r in reps) else 0)
