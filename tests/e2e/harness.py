"""The one harness of the end-to-end tests: app processes under ``streamlit run`` with their own
environment and database, Chromium driven by playwright, a throwaway PostgreSQL, and the helpers
that wait for Streamlit the same way in every test.

Every server binds to 127.0.0.1. Processes are started once per test module (each start costs
seconds) and stopped by their own handle.

Waiting for the app: a click that reaches the server starts a script run, but the page only
learns of it a moment later. ``settle`` alone can therefore return before the run it should wait
for has begun (the page still says "not running"), which makes a test flaky on a busy machine.
``act`` arms a counter of the app's run-state changes first, does the action, and waits until a
run was seen and finished; ``pick`` chooses in a select widget that way.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SHOTS = Path(os.environ.get("STRIDEWISE_SHOTS") or ARTIFACTS)
PG_SCRIPT = ROOT / "scripts" / "pg_for_tests.sh"
CHROMIUM = Path(os.environ.get("STRIDEWISE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
EXCEPTION = '[data-testid="stException"]'
BOOT_TIMEOUT_S = 120
#: playwright's default wait: the suite runs browser tests beside the multi-process store tests
#: on two cores, where one script run can take tens of seconds
TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str, path: str = "/_stcore/health") -> bool:
    try:
        with urllib.request.urlopen(f"{url}{path}", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def need_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it with "
                    "`apt-get install -y chromium` (scripts install it when missing).")


def _no_postgres(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on ``STRIDEWISE_TEST_PG_URL`` or on a throwaway server started by
    ``scripts/pg_for_tests.sh`` (as the store tests do); yields its SQLAlchemy URL."""
    import sqlalchemy as sa

    folder = None
    base = os.environ.get("STRIDEWISE_TEST_PG_URL", "").strip()
    if not base:
        folder = tempfile.mkdtemp(prefix="stridewise-pg-club-")
        try:
            proc = subprocess.run(["bash", str(PG_SCRIPT), "start", folder],
                                  capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            _no_postgres(f"{PG_SCRIPT.name} could not run ({exc})")
        if proc.returncode != 0 or not proc.stdout.strip():
            shutil.rmtree(folder, ignore_errors=True)
            _no_postgres(f"{PG_SCRIPT.name} failed: {proc.stderr.strip()[-800:]}")
        base = proc.stdout.strip().splitlines()[-1]
    name = f"sw_club_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(sa.make_url(base), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except sa.exc.SQLAlchemyError:
            pass
        admin.dispose()
        if folder:
            subprocess.run(["bash", str(PG_SCRIPT), "stop", folder], capture_output=True,
                           timeout=120)
            shutil.rmtree(folder, ignore_errors=True)


def app_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of an app or CLI process: ours plus ``extra``, the library on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRIDEWISE_")
           or k in ("STRIDEWISE_CHROMIUM",)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def cli(args: Sequence[str], env: Mapping[str, str], *, stdin: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m stridewise ARGS`` with ``env``; fails the test on a non-zero exit."""
    proc = subprocess.run([sys.executable, "-m", "stridewise", *args], input=stdin,
                          capture_output=True, text=True, env=app_env(env), cwd=ROOT,
                          timeout=timeout)
    assert proc.returncode == 0, f"stridewise {' '.join(args)}: {proc.stderr[-2000:]}"
    return proc


@dataclass
class App:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    db: str = ""

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:]


def start_app(tmp: Path, name: str, env: Mapping[str, str], *, port: int | None = None,
              extra_args: Sequence[str] = ()) -> App:
    """``streamlit run app.py`` on 127.0.0.1 (a free port unless given); returns when healthy."""
    port = port or free_port()
    log = tmp / f"{name}.log"
    fh = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *extra_args],
        cwd=ROOT, env=app_env(env), stdout=fh, stderr=subprocess.STDOUT)
    fh.close()
    app = App(f"http://127.0.0.1:{port}", proc, log, str(env.get("STRIDEWISE_DB", "")))
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while not healthy(app.url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(app)
            pytest.fail(f"streamlit ({name}) did not start:\n{app.log_tail()}")
        time.sleep(0.2)  # waiting for the server socket, not standing in for work
    return app


def stop(app: App) -> None:
    if app.proc.poll() is None:
        app.proc.terminate()
        try:
            app.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            app.proc.kill()
            app.proc.wait(timeout=15)


@contextmanager
def demo_app(tmp: Path, name: str, *, prepare: Callable[[object], None] | None = None,
             env: Mapping[str, str] | None = None) -> Iterator[App]:
    """The app in personal mode on a fresh SQLite database in ``tmp``: the demo squad is put in
    on the first visit, or before the start by ``prepare(store)`` (which may also change
    settings)."""
    db = tmp / f"{name}.db"
    if prepare is not None:
        from stridewise.store import Store

        with Store(str(db)) as store:
            prepare(store)
    app = start_app(tmp, name, {"STRIDEWISE_DB": str(db), **(env or {})})
    try:
        yield app
    finally:
        stop(app)


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    need_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def settle(page, *, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until no script run is going on (the app shows no running indicator) and every
    element has its code (no loading placeholder). After an action that starts a run, use
    :func:`act` instead: this can return before that run began."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(_IDLE_JS, timeout=timeout_ms)


# not running, and no element still loading its code: a chart or table whose code is loaded
# lazily shows a placeholder first, so a test counting tables could count too early
_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    const running = document.querySelector('[data-testid="stStatusWidget"]');
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    return !running && app.getAttribute('data-test-script-state') === 'notRunning';
}"""

# counts every change of the app's run state from now on (a run shows as running, then not)
# and notes when the last one happened
_ARM_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (window.__swObserver) window.__swObserver.disconnect();
    window.__swRunChanges = 0;
    window.__swLastChange = performance.now();
    window.__swArmedAt = performance.now();
    window.__swObserver = new MutationObserver((records) => {
        window.__swRunChanges += records.length;
        window.__swLastChange = performance.now();
    });
    window.__swObserver.observe(app, {attributes: true,
                                      attributeFilter: ['data-test-script-state']});
}"""

#: a script that calls ``st.rerun()`` shows as not running for a moment between its two runs;
#: the app counts as done once it has stayed idle this long
QUIET_MS = 750

#: a run so short that the page drew "running" and "not running" in one frame changes nothing
#: to observe: after this long idle since the action, the run counts as done
UNSEEN_MS = 5000

_RAN_JS = ("() => (" + _IDLE_JS + ")() && ((window.__swRunChanges || 0) > 0"
           f" ? performance.now() - window.__swLastChange > {QUIET_MS}"
           f" : performance.now() - window.__swArmedAt > {UNSEEN_MS})")


def act(page, action: Callable[[], object], *, timeout_ms: int = TIMEOUT_MS) -> None:
    """Do ``action`` (a click, a fill and Enter, ...) that makes the app run its script, and
    wait until that run has begun and finished, and the app stayed idle for ``QUIET_MS`` (so a
    run that asked for a rerun counts as finished only after the rerun)."""
    settle(page, timeout_ms=timeout_ms)
    page.evaluate(_ARM_JS)
    action()
    page.wait_for_function(_RAN_JS, timeout=timeout_ms)


def pick(page, label: str, option: str, *, attempts: int = 3) -> None:
    """Choose ``option`` in the select or multiselect widget labelled exactly ``label`` (the
    first such widget) and wait for the run the choice starts. The option is typed into the
    widget's search field first, so it is offered even in a long list; an option whose name
    starts with ``option`` is taken when none has exactly that name. Inside a form, or when the
    option is chosen already, no run is waited for. A dropdown that a rerun
    closed before the option showed is opened again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(
        has=page.get_by_text(label, exact=True)).first
    multi = box.get_attribute("data-testid") == "stMultiSelect"
    # inside a form a choice starts no run (the form's submit button does)
    in_form = box.locator("xpath=ancestor::*[@data-testid='stForm']").count() > 0
    exact = page.get_by_role("option", name=option, exact=True)
    prefix = page.get_by_role("option", name=re.compile("^" + re.escape(option)))
    for attempt in range(attempts):
        settle(page)
        field = box.locator("input").first
        field.click()
        if field.is_editable():  # on a phone a short list has no search field
            field.fill(option)
        try:
            prefix.first.wait_for(timeout=30_000)
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        choice = exact.first if exact.count() else prefix.first
        if in_form or choice.get_attribute("aria-selected") == "true":  # no run follows
            choice.click()
            settle(page)
        else:
            act(page, choice.click)
        if multi:
            page.keyboard.press("Escape")  # a multiselect stays open until dismissed
        return


def new_page(browser, *, width: int = 1400, height: int = 1000, **context_args):
    """A page in a new browser context (a new visitor), with the suite's default wait. Close it
    with ``page.context.close()``."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True, **context_args)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def shot(page, name: str) -> Path:
    """A screenshot of the whole page into ``SHOTS`` (Streamlit scrolls inside its main block,
    so the viewport is stretched to the content's height first)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate("""() => {
        const m = document.querySelector('[data-testid="stMain"]')
              || document.querySelector('[data-testid="stAppViewContainer"]');
        return m ? m.scrollHeight : document.body.scrollHeight;
    }""")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(400)  # let plotly re-layout to the new size before the shot
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def main_text(page) -> str:
    loc = page.locator('[data-testid="stMain"]')
    return loc.inner_text() if loc.count() else page.inner_text("body")


def no_exception(page) -> None:
    """No exception box (with ``client.showErrorDetails = "none"`` Streamlit shows only a
    generic sentence instead of the box)."""
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, boxes.first.inner_text()
    assert page.get_by_text("This app has encountered an error").count() == 0


class TcpSwitch:
    """The reverse proxy's part that matters here: one public address (127.0.0.1:``port``)
    whose connections go to one app process, switched by :meth:`switch` (as after a restart
    behind a sticky proxy). Bytes are passed through unchanged, websockets included."""

    def __init__(self) -> None:
        import socketserver
        import threading

        self.target: int | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                import select

                if outer.target is None:
                    return
                try:
                    upstream = socket.create_connection(("127.0.0.1", outer.target), timeout=30)
                except OSError:
                    return
                with outer._lock:
                    outer._open.update({self.request, upstream})
                try:
                    pair = {self.request: upstream, upstream: self.request}
                    while True:
                        ready, _, _ = select.select(list(pair), [], [], 1.0)
                        for s in ready:
                            data = s.recv(65536)
                            if not data:
                                return
                            pair[s].sendall(data)
                except OSError:
                    return
                finally:
                    with outer._lock:
                        outer._open.discard(self.request)
                        outer._open.discard(upstream)
                    upstream.close()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.2,),
                                        daemon=True)
        self._thread.start()

    def switch(self, port: int) -> None:
        """Send new connections to ``port`` and cut the open ones (the browser reconnects)."""
        self.target = port
        with self._lock:
            for s in list(self._open):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.switch(0)
