"""Directory feeds: parsers turn AAF, SIECLE, STS-Web and CSV files into records; the
reconciler (`reconcile.py`) turns records into the directory's rows, as a preview or for real."""
