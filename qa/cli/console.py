"""What every command prints with: the two consoles, JSON output, one-line user errors, and
`escape` for text bound for a terminal.

Article text is untrusted. Printed raw, an ESC sequence in a title could clear the screen,
retitle the window or (OSC 52) write the clipboard. `escape` shows control characters other
than tab and line feed as their visible Unicode "control picture" (ESC as ␛) or U+FFFD; JSON
output (`--json`) keeps the exact text, escaped by the JSON encoder.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import Any, Callable

import typer
from rich.console import Console
from rich.markup import escape as _escape_markup

from qa.errors import QAError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_SHOWN = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
_SHOWN[0x7F] = 0x2421
_SHOWN.update({code: 0xFFFD for code in range(0x80, 0xA0)})  # C1 controls (0x9B is an 8-bit CSI)


def escape(text: str) -> str:
    """`text` safe to print with rich: no markup, no terminal control sequences."""
    return _escape_markup(text.translate(_SHOWN))


def print_json(data: Any) -> None:
    # default=str: paths as text, secrets as their masked form ("**********")
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def user_errors(command: Callable) -> Callable:
    """Show user errors as one line on stderr with a non-zero exit, never as a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except QAError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper
