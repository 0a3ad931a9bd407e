"""Receipt sinks for tests: collect the events handed over, or fail."""

collected = []


def collect(event) -> None:
    collected.append(event)


def fail(event) -> None:
    raise RuntimeError("the receipt store is down")
