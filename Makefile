# The two commands of the README: `make demo` and `make test`. Both set up a fresh
# machine (virtualenv, the package, Debian's Chromium and redis-server) before running.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 8001
DB     ?= data/archive.db

.PHONY: demo test fast install system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

DEBS := chromium redis-server fonts-wqy-microhei antiword catdoc tesseract-ocr tesseract-ocr-chi-sim \
        libreoffice-writer-nogui

system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v redis-server >/dev/null || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
	    || ! command -v antiword >/dev/null || ! command -v catdoc >/dev/null || ! command -v tesseract >/dev/null \
	    || ! command -v soffice >/dev/null \
	    || [ -z "$$(ls /usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata 2>/dev/null)" ]; then \
	  echo "installing Debian packages: $(DEBS)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEBS); \
	fi

install: $(STAMP) system-deps

demo: install
	$(BIN)/nianbao demo --db $(DB) --port $(PORT)

# pytest exits 5 when it collected no tests: that is a failure here, never a pass.
test: install
	@$(BIN)/python -m pytest -q -rfE; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	exit $$rc

# the fast loop: everything but crawls, subprocesses and browsers
fast: install
	@$(BIN)/python -m pytest -q -m "not slow"; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	exit $$rc

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache
