"""A case's inputs: facts validated against the plan's inputs, the schema, the plan cache, a case loaded once per run."""
