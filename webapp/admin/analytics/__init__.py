"""Analytics: the community's numbers per day over 7, 30 or 90 days, as SVG charts drawn on
the server (`charts`, pygal) and CSV files, from set-based queries (`services`) over indexed
time columns (`models` declares the indexes the dashboard needs on the features' tables)."""
