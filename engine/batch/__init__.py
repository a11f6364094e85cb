"""Populations, one line at a time: the stream of decisions, population decisions in two passes, decision records."""
