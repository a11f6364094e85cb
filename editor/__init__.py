"""Editor support: the index of a plan, the language server, the Pygments lexer.

Only `policy lsp` (server.py, which brings pygls in) and `policy doc` (the lexer, describe.py's
words) import this package; no other command pays for it.
"""
