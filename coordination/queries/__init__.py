"""What the API and the console read, by concept: each function takes a session and plain
arguments and returns rows, a page of rows, or a query for `page` to cut. Views call these and
never build SQL themselves (an import-linter contract keeps SQLAlchemy and the tables out of web)."""
