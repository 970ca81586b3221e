# Benchmarks run by `make bench` (bench/run.py), never by pytest.
collect_ignore_glob = ["*"]
