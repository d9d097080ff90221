"""Qt item models behind the window's views."""
