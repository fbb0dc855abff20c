"""Text helpers shared by every stage: words, stems and stopwords."""
