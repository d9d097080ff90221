"""The Web part of the Settings dialog: the network switch, local addresses, the web search
provider and its allow-list of sites. Values are checked, never silently fixed."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from evidence.settings import Settings

PROVIDERS = {"duckduckgo": "DuckDuckGo (no account or key)", "searxng": "A SearXNG instance"}
RESULTS_RANGE = (1, 50)
TIMEOUT_RANGE = (1, 600)
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)


def parse_sites(text: str) -> list[str]:
    """ "nytimes.com, https://www.brookings.edu/" -> ["nytimes.com", "brookings.edu"]."""
    sites = []
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        host = urlsplit(item if "://" in item else f"//{item}").hostname or item
        host = host.lower().removeprefix("www.")
        if host not in sites:
            sites.append(host)
    return sites


def web_problems(s: Settings) -> list[str]:
    problems = []
    if s.web_search_provider == "searxng":
        parts = urlsplit(s.searxng_url)
        if not s.searxng_url:
            problems.append("Web search: a SearXNG instance needs its address (https://…)")
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"Web search: {s.searxng_url!r} is not an http(s) address")
    bad = [site for site in s.web_sites if not _HOST.match(site)]
    if bad:
        problems.append(f"Sites: not site names: {', '.join(bad)} (write e.g. brookings.edu)")
    lo, hi = RESULTS_RANGE
    if not lo <= s.web_results <= hi:
        problems.append(f"Web results per search must be between {lo} and {hi}")
    lo, hi = TIMEOUT_RANGE
    if not lo <= s.web_timeout_s <= hi:
        problems.append(f"Web timeout must be between {lo} and {hi} seconds")
    return problems


class WebSettingsBox(QGroupBox):
    def __init__(self, s: Settings, parent: QWidget | None = None) -> None:
        super().__init__("Web", parent)
        self.access = QCheckBox("Allow network use: web pages, web search, model downloads")
        self.access.setChecked(s.web_access)
        self.private = QCheckBox("Also allow addresses on this computer or the local network")
        self.private.setChecked(s.web_allow_private)
        self.provider = QComboBox()
        for key, label in PROVIDERS.items():
            self.provider.addItem(label, key)
        self.provider.setCurrentIndex(max(0, self.provider.findData(s.web_search_provider)))
        self.searxng = QLineEdit(s.searxng_url)
        self.searxng.setPlaceholderText("https://searx.example.org")
        self.results = QSpinBox()
        self.results.setRange(0, 1000)  # wider than valid: out-of-range input is explained
        self.results.setValue(s.web_results)
        self.sites = QLineEdit(", ".join(s.web_sites))
        self.sites.setPlaceholderText("Any site (or e.g. brookings.edu, nytimes.com)")
        self.timeout = QSpinBox()
        self.timeout.setRange(0, 100_000)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(s.web_timeout_s)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.access)
        form.addRow(self.private)
        form.addRow("Web search:", self.provider)
        form.addRow("SearXNG address:", self.searxng)
        form.addRow("Results per search:", self.results)
        form.addRow("Only these sites:", self.sites)
        form.addRow("Timeout:", self.timeout)
        self.provider.currentIndexChanged.connect(self._show_searxng)
        self._show_searxng()

    def _show_searxng(self) -> None:
        self.searxng.setEnabled(self.provider.currentData() == "searxng")

    def apply(self, s: Settings) -> Settings:
        return dataclasses.replace(
            s,
            web_access=self.access.isChecked(),
            web_allow_private=self.private.isChecked(),
            web_search_provider=str(self.provider.currentData()),
            searxng_url=self.searxng.text().strip(),
            web_results=self.results.value(),
            web_sites=parse_sites(self.sites.text()),
            web_timeout_s=self.timeout.value(),
        )
