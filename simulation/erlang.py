"""The M/M/c queue in closed form: what a zero-travel drill must reproduce (Erlang C)."""

from __future__ import annotations

def erlang_c(*, servers: int, arrival_rate: float, service_rate: float) -> float:
    """Probability that an arrival waits (all `servers` busy), for a stable M/M/c queue.

    Raises:
        ValueError: the queue is unstable (arrivals at least the total service rate).
    """
    load = arrival_rate / service_rate
    if load >= servers:
        raise ValueError(f"unstable queue: offered load {load:.3f} >= {servers} servers")
    # Summed term by term (a / k!) so large c does not overflow a factorial.
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    last = term * load / servers
    waiting = last * servers / (servers - load)
    return waiting / (total + waiting)


def mean_wait_s(*, servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in queue, Wq = C(c, a) / (c mu - lambda), in the rates' time unit."""
    return erlang_c(servers=servers, arrival_rate=arrival_rate, service_rate=service_rate) / (
        servers * service_rate - arrival_rate)

