"""The demo: the whole system on this machine (broker, simulated estate, scanners, stream, jobs,
dashboard), each part started as the same `finops` command a deployment runs."""
