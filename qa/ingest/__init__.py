"""Articles in: file formats, HTML text, dates, chunking and the ingest pipeline."""
