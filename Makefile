# Préau — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run install migrate demo serve test lint typecheck migrations-check pytest messages clean

run: install migrate demo serve  ## install, migrate, seed the demo territory, serve on :8000

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv
	$(UV) sync --frozen
	$(PY) manage.py collectstatic --noinput --verbosity 0

migrate:
	$(PY) manage.py migrate --noinput

demo:
	$(PY) manage.py demo

serve:
	@echo "Préau is on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver --insecure $(HOST):$(PORT)

test: install lint typecheck migrations-check pytest  ## every quality gate, then the tests

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck:
	.venv/bin/mypy preau/

migrations-check:
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING

pytest:
	.venv/bin/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

messages:  ## refresh the French and English catalogues (needs GNU gettext)
	cd preau && ../$(PY) ../manage.py makemessages -l fr -l en --no-obsolete --ignore 'tests/*'
	cd preau && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf var .venv

# --- benchmarks (bench/, docs/performance.md) ----------------------------------------------------
# `make bench` is the "Monday 8:00" scenario on a synthetic territory of size $(SIZE) (S: one school,
# a few minutes; M: 50 schools, about 50,000 accounts; L: 500 schools). It drops and recreates its
# own database (BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/preau_bench_territory_<size>;
# its name must contain "bench"). The other scenarios each measure one budget of DESIGN.md.
SIZE ?= S
PEOPLE ?= 100000
MONDAY_ARGS ?=
BENCH_ARGS ?=
MESSAGING_ARGS ?=
TIMELINE_ARGS ?=
DOCUMENTS_ARGS ?=

.PHONY: bench bench-territory bench-scenarios bench-aaf bench-cas bench-messaging bench-timeline bench-documents

bench: install  ## the Monday 8:00 mix at size $(SIZE): report and plot in bench/results/ (docs/performance.md)
	$(PY) bench/monday.py --size $(SIZE) $(MONDAY_ARGS)

bench-territory: install  ## only generate the territory of size $(SIZE) (docs/bench-dataset.md)
	$(PY) bench/territory.py --size $(SIZE)

bench-scenarios: bench-aaf bench-cas bench-messaging bench-timeline bench-documents  ## every single-budget scenario

bench-aaf:  ## complete AAF import of $(PEOPLE) people, then the same set again (docs/bench-aaf.md)
	$(PY) bench/aaf_import.py --people $(PEOPLE) $(BENCH_ARGS)

bench-cas:  ## server CPU of 2,000 CAS ticket validations on the demo territory (docs/cas.md)
	$(PY) bench/cas_validate.py

bench-messaging:  ## a send to 2,000 guardians, its delivery, the recipient search (docs/bench-messaging.md)
	$(PY) bench/messaging.py $(MESSAGING_ARGS)

bench-timeline:  ## a news item to a 5,000-member school: time to every feed, feed queries (docs/bench-timeline.md)
	$(PY) bench/timeline.py $(TIMELINE_ARGS)

bench-documents:  ## a folder page of 1,000 files (fixed queries), streamed download and zip (docs/bench-documents.md)
	$(PY) bench/documents.py $(DOCUMENTS_ARGS)
