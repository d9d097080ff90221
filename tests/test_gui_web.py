"""The window's web pieces with real components: the web switch (saved, seen by running work),
web addresses dropped or pasted into the Library (fetched from a loopback server), and the
refusal with web access off, proved by the socket guard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop.drops import dropped_items, urls_in_text
from desktop.main_window import MainWindow
from evidence.network import NetworkPolicy
from evidence.settings import load_settings
from tests.gui_helpers import screenshot
from tests.loopback import LoopbackServer, Response
from tests.netguard import SocketGuard
from tests.test_gui_library import results, wait_idle

ARTICLE = b"""<!doctype html><html><head><title>Water treaties hold</title>
<meta name="author" content="Jane Doe"><meta property="og:site_name" content="Water Policy Review">
<meta property="article:published_time" content="2024-05-02"></head><body><article>
<h1>Water treaties hold</h1>
<p>International water law has proven remarkably durable. Across seventy years of basin
agreements, states that share rivers have resolved their disputes through negotiation rather
than war, and the treaties they signed have survived changes of government and regime.</p>
<p>Cooperation on shared water resources builds trust that spills over into other areas of
diplomacy, which is why scholars describe water as a pathway to peace rather than a cause of
conflict between riparian states in every region of the world.</p>
</article></body></html>"""


def test_urls_in_text_and_mime_data(tmp_path: Path) -> None:
    assert urls_in_text("see https://a.org/x and www.b.com/y, not ftp://c.") == [
        "https://a.org/x",
        "https://www.b.com/y",
    ]
    mime = QMimeData()
    local = tmp_path / "card.docx"
    mime.setUrls([QUrl.fromLocalFile(str(local)), QUrl("https://example.org/a?b=1")])
    assert dropped_items(mime) == [local, "https://example.org/a?b=1"]
    text_only = QMimeData()
    text_only.setText("https://example.org/article")
    assert dropped_items(text_only) == ["https://example.org/article"]
    nothing = QMimeData()
    nothing.setText("just words")
    assert dropped_items(nothing) == []


def test_web_switch_saves_and_policy_follows(main_window: MainWindow) -> None:
    ctx, switch = main_window.ctx, main_window.web_switch
    policy = NetworkPolicy.from_settings(ctx.settings)  # as running work holds it
    assert not switch.isChecked() and "off" in switch.text()
    assert "off" in main_window.library.url_edit.placeholderText().lower()
    switch.click()
    assert switch.isChecked() and "on" in switch.text()
    assert load_settings(ctx.data_dir.settings).web_access is True
    assert policy.enabled  # work already running sees the switch at its next request
    assert "Paste a web address" in main_window.library.url_edit.placeholderText()
    screenshot(main_window, "web-switch-on")
    switch.click()
    assert not policy.enabled and load_settings(ctx.data_dir.settings).web_access is False


def test_pasted_url_with_web_off_is_refused_without_a_connection(
    qtbot, main_window: MainWindow, socket_guard: SocketGuard
) -> None:  # type: ignore[no-untyped-def]
    panel = main_window.library
    wait_idle(qtbot, panel)
    panel.url_edit.setText("https://example.org/article")
    qtbot.keyClick(panel.url_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, panel)
    [result] = results(panel)
    assert result.status == "failed" and "web access is off" in result.reason
    assert socket_guard.attempts == []
    screenshot(main_window.library, "web-url-refused")


def test_dropped_url_becomes_a_web_source(
    qtbot, main_window: MainWindow, loopback: LoopbackServer
) -> None:  # type: ignore[no-untyped-def]
    url = loopback.add("/water", Response(ARTICLE))
    main_window.web_switch.set_on(True)
    settings = main_window.ctx.settings
    settings.web_allow_private = True  # the fixture server is on 127.0.0.1
    panel = main_window.library
    wait_idle(qtbot, panel)
    mime = QMimeData()
    mime.setUrls([QUrl(url)])
    drop = QDropEvent(
        QPoint(50, 50).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    main_window.dropEvent(drop)
    wait_idle(qtbot, panel)
    [result] = results(panel)
    assert result.status == "imported", result.reason
    qtbot.waitUntil(lambda: bool(panel.snapshot and panel.snapshot.sources), timeout=30_000)
    [source] = panel.snapshot.sources  # type: ignore[union-attr]
    assert source.url.startswith(loopback.base) and source.title == "Water treaties hold"
    assert source.authors == ["Jane Doe"] and source.publication == "Water Policy Review"
    sources_model = panel.sources.model
    assert sources_model.index(0, 3).data() == "Web (HTML)"  # marked as web evidence
    assert panel.results.model.index(0, 1).data() == url  # the address, not "water"
    screenshot(main_window, "web-url-imported")
