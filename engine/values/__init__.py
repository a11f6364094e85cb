"""What a value is: exact numbers, dates and durations, and the unknown (Missing). The floor every stage stands on."""
