"""`policy lsp`: the language server, for editors."""
from __future__ import annotations

import click


@click.command()
def lsp() -> None:
    """Run the language server over stdio (for VS Code or any LSP client; docs/editor.md).

    Diagnostics of `policy check` as you type, hover, go to definition, references,
    completion, outline, formatting as `policy fmt`, quick fixes for did-you-mean hints.
    """
    from editor.server import main  # pygls is paid for by this command only

    main()
