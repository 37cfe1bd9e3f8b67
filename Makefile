# Two commands do all set-up on a fresh machine:
#   make run    serve the demo warehouse on :8000 (SQLite, virtual label printer); HTTPS=1 for phones
#   make test   the whole test suite (SQLite and PostgreSQL, headless Chromium)
PYTHON ?= python3
VENV := .venv
RUN_DEBS := libzbar0 openssl
TEST_DEBS := $(RUN_DEBS) postgresql chromium ffmpeg

.PHONY: run test venv test-deps bench clean

$(VENV)/.installed: requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed
	scripts/ensure-debian-packages.sh $(RUN_DEBS)
	scripts/run.sh

test: $(VENV)/.test-installed
	scripts/ensure-debian-packages.sh $(TEST_DEBS)
	scripts/test.sh $(ARGS)

bench: $(VENV)/.test-installed
	scripts/ensure-debian-packages.sh $(TEST_DEBS)
	$(VENV)/bin/python bench/scan.py
	$(VENV)/bin/python bench/movements.py
	$(VENV)/bin/python bench/routing.py
	$(VENV)/bin/python bench/batching.py --backend sqlite
	$(VENV)/bin/python bench/batching.py --backend postgresql
	$(VENV)/bin/python bench/late_shipments.py
	$(VENV)/bin/python bench/decode.py
	$(VENV)/bin/python bench/dashboard.py

clean:
	rm -rf $(VENV) .pytest_cache
