.PHONY: demo test lint fmt bench

demo:  ## the studio with a demo project (SQLite)
	bash scripts/demo.sh

test:  ## lint, types and the whole suite
	bash scripts/test.sh

lint:
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/ruff format --check src tests bench scripts
	.venv/bin/mypy

fmt:
	.venv/bin/ruff check --fix src tests bench scripts
	.venv/bin/ruff format src tests bench scripts

bench:
	for b in bench/*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done
