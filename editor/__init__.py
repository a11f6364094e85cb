"""Editor support: the index of a plan, the language server, the Pygments lexer.

Nothing here is imported by the other commands; `policy lsp` imports pygls only when it runs.
"""
