"""finops-stream: infra-native FinOps findings as a stream (check -> producer -> topic -> stream -> sink -> job -> snapshot -> web)."""

__version__ = "0.1.0"
