"""The offline eval: gold sets, metrics, scoring, the runner, reports and charts."""
