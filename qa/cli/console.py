"""Text bound for a terminal: rich markup escaped, and control characters shown, never sent.

Article text is untrusted. Printed raw, an ESC sequence in a title could clear the screen,
retitle the window or (OSC 52) write the clipboard. Control characters other than tab and line
feed are printed as their visible Unicode "control picture" (ESC as ␛) or U+FFFD; JSON output
(`--json`) keeps the exact text, escaped by the JSON encoder.
"""

from __future__ import annotations

from rich.markup import escape as _escape_markup

_SHOWN = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
_SHOWN[0x7F] = 0x2421
_SHOWN.update({code: 0xFFFD for code in range(0x80, 0xA0)})  # C1 controls (0x9B is an 8-bit CSI)


def escape(text: str) -> str:
    """`text` safe to print with rich: no markup, no terminal control sequences."""
    return _escape_markup(text.translate(_SHOWN))
