# zhengwu — make run (serve the demo district) · make test (the whole suite)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ZHENGWU_DATA_DIR ?= $(CURDIR)/var
PORT ?= 8000

.PHONY: run install migrate demo serve worker test test-sqlite test-postgres test-bench bench locust clean fuzz faults messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/zhengwu migrate --no-input -v 0

# The demo's licences and rating QR codes print the address they are served at (a production
# server sets ZHENGWU_PUBLIC_URL to its portal's https address).
demo serve: export ZHENGWU_PUBLIC_URL ?= http://127.0.0.1:$(PORT)

demo: migrate
	$(BIN)/zhengwu demo

serve: install
	$(BIN)/zhengwu serve --port $(PORT)

run: demo serve

worker: install
	$(BIN)/zhengwu worker

# Compile the platform's translation catalogues (src/zhengwu/locale: the admin messages Django's
# zh_Hans lacks) after editing a .po; the .mo files are committed. Needs GNU gettext's msgfmt.
messages:
	for po in src/zhengwu/locale/*/LC_MESSAGES/*.po; do msgfmt --check-format -o "$${po%.po}.mo" "$$po"; done

# The whole suite on the embedded SQLite; and on PostgreSQL too when DATABASE_URL is set. The
# end-to-end bench run (marker `bench`, minutes of a fresh server) is left to `make test-bench`;
# TEST_MARKERS= runs everything.
TEST_MARKERS ?= not bench
# The suite runs in parallel workers (pytest-xdist), one more than the logical CPUs (the tests wait on browsers
# and subprocesses: a spare worker keeps the CPUs busy meanwhile); TEST_WORKERS=0 runs it in one process
# (pdb, -x, or reading one test's output in order), TEST_WORKERS=N sets the count. ADR 0056.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup)
test: install
	env -u DATABASE_URL $(BIN)/pytest -q $(XDIST) -m "$(TEST_MARKERS)" $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then echo "== PostgreSQL: $$DATABASE_URL"; $(BIN)/pytest -q $(XDIST) -m "$(TEST_MARKERS)" $(PYTEST_ARGS); fi

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest -q $(XDIST) -m "$(TEST_MARKERS)" $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/pytest -q $(XDIST) -m "$(TEST_MARKERS)" $(PYTEST_ARGS)

# `make bench` end to end at the tiny size on a fresh SQLite database (CI runs it after make test).
test-bench: install
	env -u DATABASE_URL $(BIN)/pytest -q -m bench tests/bench $(PYTEST_ARGS)

# Benchmark on a SEPARATE database (it fills it with synthetic data):
#   make bench [BENCH_SIZE=small|medium|city] [BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_bench]
BENCH_SIZE ?= small
BENCH_DATA_DIR ?= /tmp/zw-bench
BENCH_LOCUST := $(CURDIR)/.venv-locust/bin/locust

$(BENCH_LOCUST):
	$(PYTHON) -m venv .venv-locust
	.venv-locust/bin/pip install -q locust

# Locust in its own virtualenv (the mixed workload's load tool; the bench smoke test uses it too).
locust: $(BENCH_LOCUST)

bench: install $(BENCH_LOCUST)
	mkdir -p $(BENCH_DATA_DIR)
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/run.py --size $(BENCH_SIZE) --generate --locust-bin $(BENCH_LOCUST) $(BENCH_ARGS)
	# 查询核验 (issue 24) on the same data: the 人口库 and 法人库 gen-data loaded (city: 10M and 2M).
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/verify.py --people 0
	# The hall (issue 25): 50 call boards, 30 clerks, 1,000 tickets, on the same database.
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/hall.py
	# 双随机 (issue 26): a draw of 500 from gen-data's 检查对象 (city: 1,000,000) and the public results page.
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/inspections.py
	# 统计分析 (issue 27): a day's rollup (busiest day), the backfill, each dashboard's p95, the monthly report.
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/insights.py --size $(BENCH_SIZE)
	# 办件信息上报 (issue 29): 20,000 办件 feed records pushed by the HTTP gateway to a local receiver (≥ 1,000/s).
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/case_feed.py --records 20000
	# 收费与缴款 (issue 29): signed payment notices (recorded, duplicate, unknown order, wrong amount), p95 < 20 ms.
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/payments.py
	# 免申即享 (issue 29): one policy's 资格比对 over the 人口库 gen-data loaded (city: 10,000,000 persons; target < 60 s).
	ZHENGWU_DATA_DIR=$(BENCH_DATA_DIR) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(BIN)/python bench/benefits.py
	# Search quality (issue 28): hit@1/hit@5/MRR on citizens' questions, demo + a real catalogue, fresh temp SQLite.
	$(BIN)/python bench/search_quality.py
	# 12345 smart dispatch (issue 28): macro-F1 and ms per ticket on the hand-written 7-class sets (files only).
	$(BIN)/python bench/dispatch_quality.py

# Schemathesis against a live server with the demo district, as every role, on a THROWAWAY database
# (a temporary SQLite file, or a new database on DATABASE_URL's server, dropped afterwards); bounded by
# ZHENGWU_FUZZ_SECONDS (180) of fuzzing. Exits non-zero on any server error or schema violation.
fuzz: install
	$(BIN)/python tools/fuzz.py $(FUZZ_ARGS)

# Fault tests: a private PostgreSQL cluster (port ZHENGWU_FAULT_PG_PORT, 5499) restarted under load.
faults: install
	ZHENGWU_FAULT_TESTS=1 env -u DATABASE_URL $(BIN)/pytest -q -s tests/core/test_pg_restart.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .venv-locust var
