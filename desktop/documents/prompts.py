"""The questions documents ask (conflict, unsaved changes, recovery) and their file dialogs,
in one place so the flows read plainly and tests can answer them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

DOCX_FILTER = "Word documents (*.docx)"


def ask(parent: QWidget | None, title: str, text: str, choices: list[str]) -> str:
    """A modal question with one button per choice; the last choice is the Escape answer
    (make it the safe one: Cancel, Later). Returns the chosen label."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)  # fmt: skip
    buttons = []
    for n, label in enumerate(choices):
        last = n == len(choices) - 1
        role = QMessageBox.ButtonRole.RejectRole if last else QMessageBox.ButtonRole.AcceptRole
        buttons.append(box.addButton(label, role))
    box.setDefaultButton(buttons[0])
    box.setEscapeButton(buttons[-1])
    box.exec()
    clicked = box.clickedButton()
    return choices[buttons.index(clicked)] if clicked in buttons else choices[-1]


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """A problem the user must see (not blocking the event loop: open, not exec)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                      parent)  # fmt: skip
    box.setObjectName("DocumentWarning")
    box.open()


def open_paths(parent: QWidget | None, folder: Path) -> list[Path]:
    files, _ = QFileDialog.getOpenFileNames(parent, "Open documents", str(folder), DOCX_FILTER)
    return [Path(f) for f in files]


def save_path(parent: QWidget | None, title: str, suggested: Path) -> Path | None:
    """Where to save (the dialog asks before replacing a file); a .docx name."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), DOCX_FILTER)
    return with_docx(Path(chosen)) if chosen else None


def with_docx(path: Path) -> Path:
    """A name typed without the extension gets it (Word's own files end in .docx)."""
    return path if path.suffix.lower() == ".docx" else path.with_name(path.name + ".docx")
