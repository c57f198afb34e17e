"""Reports: scope, queries, tables, charts, exports, the daily run and the staffing alert."""
