"""Two versions of a plan: the structural diff, article by article, and a population replayed under both."""
