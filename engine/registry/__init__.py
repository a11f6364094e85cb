"""The registry of designated institutions: loading the CSV, the spatial index, the categories a plan knows."""
