"""AST -> checked plan -> graph: declarations, resolution, types and units, citations and quotes, coverage, the IR, the dependency graph."""
