"""The `qa` command line: parsing and printing only; the work is done by qa.Assistant."""
