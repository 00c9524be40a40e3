"""Analytic values of queueing theory that the engine is validated against.

Every function is pure and cites its formula. Rates are per time unit, times in time units.
References:

- [FP] W. J. Hopp and M. L. Spearman, *Factory Physics*, 3rd ed., Waveland 2008, ch. 7
  (best case, practical worst case) and ch. 8 (M/M/1, M/M/c, failures).
- [GH] D. Gross, J. F. Shortle, J. M. Thompson and C. M. Harris, *Fundamentals of Queueing
  Theory*, 4th ed., Wiley 2008: 2.2 (M/M/1), 2.3 (M/M/c, Erlang C), 2.10 (Jackson
  networks), 5.3 (GI/M/1).
- [BG] J. A. Buzacott and J. G. Shanthikumar, *Stochastic Models of Manufacturing Systems*,
  Prentice Hall 1993, 5.2 (two-station lines with a finite buffer, blocking after service)
  and the single-stage make-to-stock system with a base stock (its M/M/1 case).
- [Z] P. H. Zipkin, *Foundations of Inventory Management*, McGraw-Hill 2000 (base-stock
  policy with backorders, a queue's number in system as the outstanding orders).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize

__all__ = [
    "best_case",
    "calendar_failure_shares",
    "erlang_batch_flow_time",
    "erlang_c",
    "gi_m_1_sigma",
    "jackson_tandem",
    "line_yield",
    "make_to_stock",
    "mm1",
    "mmc",
    "operating_failure_shares",
    "practical_worst_case",
    "saturated_throughput",
    "two_station_blocking",
]


def best_case(wip: int, raw_process_time: float, bottleneck_rate: float) -> tuple[float, float]:
    """Return (TH, CT) of the best case at CONWIP level ``wip`` [FP, 7.3.1, Law 7.1].

    TH = min(w / T0, r_b) and CT = max(T0, w / r_b): a line with constant times and no
    variability reaches it after its start-up transient.
    """
    throughput = min(wip / raw_process_time, bottleneck_rate)
    cycle_time = max(raw_process_time, wip / bottleneck_rate)
    return throughput, cycle_time


def practical_worst_case(
    wip: int, raw_process_time: float, bottleneck_rate: float
) -> tuple[float, float]:
    """Return (TH, CT) of the practical worst case at CONWIP level ``wip`` [FP, 7.3.3, Def.].

    With W0 = r_b T0: TH = w / (W0 + w - 1) r_b and CT = T0 + (w - 1) / r_b. It is exact
    (mean-value analysis of a closed Jackson network) for a balanced line of single
    exponential machines, such as the Penny Fab with exponential times.
    """
    critical_wip = bottleneck_rate * raw_process_time
    throughput = wip / (critical_wip + wip - 1) * bottleneck_rate
    cycle_time = raw_process_time + (wip - 1) / bottleneck_rate
    return throughput, cycle_time


def mm1(arrival_rate: float, service_rate: float) -> dict[str, float]:
    """Return flow time, WIP and utilisation of the M/M/1 queue [GH, 2.2; FP, 8.4.1].

    rho = lambda / mu, flow time W = 1 / (mu - lambda), WIP L = rho / (1 - rho).
    """
    rho = arrival_rate / service_rate
    if rho >= 1:
        raise ValueError("unstable queue: lambda >= mu")
    return {
        "flow_time": 1 / (service_rate - arrival_rate),
        "wip": rho / (1 - rho),
        "utilization": rho,
    }


def erlang_c(servers: int, offered_load: float) -> float:
    """Return the probability of waiting in M/M/c, C(c, a) with a = lambda / mu [GH, 2.3].

    C(c, a) = [a^c / c! / (1 - rho)] / [sum_{k<c} a^k / k! + a^c / c! / (1 - rho)],
    rho = a / c < 1.
    """
    rho = offered_load / servers
    if rho >= 1:
        raise ValueError("unstable queue: lambda >= c mu")
    top = offered_load**servers / math.factorial(servers) / (1 - rho)
    bottom = sum(offered_load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


def mmc(arrival_rate: float, service_rate: float, servers: int) -> dict[str, float]:
    """Return flow time, WIP and utilisation of M/M/c [GH, 2.3; FP, 8.4.2].

    W = C(c, a) / (c mu - lambda) + 1 / mu, L = lambda W (Little), utilisation
    u = lambda / (c mu).
    """
    offered = arrival_rate / service_rate
    wait = erlang_c(servers, offered) / (servers * service_rate - arrival_rate)
    flow_time = wait + 1 / service_rate
    return {
        "flow_time": flow_time,
        "wip": arrival_rate * flow_time,
        "utilization": offered / servers,
    }


def jackson_tandem(
    arrival_rate: float, service_rates: Sequence[float], scrap: Sequence[float] | None = None
) -> dict[str, float]:
    """Return flow time, WIP and yield of exponential stations in series, unlimited buffers.

    Jackson's theorem (Burke's output theorem for a tandem) [GH, 2.10]: each station i is
    an independent M/M/1. Scrapping a share p_i of the jobs after service at station i is
    Bernoulli routing out of the network, so station i sees
    lambda_i = lambda prod_{j<i} (1 - p_j), rho_i = lambda_i / mu_i. The flow time of a good
    job is W = sum_i 1 / (mu_i - lambda_i) (the scrap draw is independent of the sojourn),
    the WIP L = sum_i rho_i / (1 - rho_i) (scrapped jobs included until they leave), the
    yield prod_i (1 - p_i) and the throughput of good jobs lambda x yield.
    """
    shares = list(scrap) if scrap is not None else [0.0] * len(service_rates)
    rate = arrival_rate
    flow_time = wip = 0.0
    for service_rate, share in zip(service_rates, shares, strict=True):
        station = mm1(rate, service_rate)
        flow_time += station["flow_time"]
        wip += station["wip"]
        rate *= 1 - share
    return {"flow_time": flow_time, "wip": wip, "yield": line_yield(shares), "throughput": rate}


def closed_tandem_mva(mean_times: Sequence[float], jobs: int) -> dict[str, float]:
    """Return throughput, flow time and utilisations of a closed network of single
    exponential servers in a cycle with ``jobs`` jobs: exact mean value analysis.

    A CONWIP line of single machines is a closed Jackson network. Mean value analysis
    [Reiser and Lavenberg 1980; Factory Physics, ch. 7]: for n = 1 .. N jobs, the mean
    time at station k is R_k(n) = S_k (1 + Q_k(n - 1)), the throughput
    X(n) = n / sum_k R_k(n) and the mean queue Q_k(n) = X(n) R_k(n), from Q_k(0) = 0.
    The flow time is N / X(N) (Little) and station k's utilisation X(N) S_k.
    """
    queues = [0.0] * len(mean_times)
    throughput = 0.0
    for population in range(1, jobs + 1):
        times = [s * (1.0 + q) for s, q in zip(mean_times, queues, strict=True)]
        throughput = population / sum(times)
        queues = [throughput * r for r in times]
    result = {"throughput": throughput, "flow_time": jobs / throughput}
    for index, mean in enumerate(mean_times):
        result[f"utilization.{index}"] = throughput * mean
    return result


def line_yield(scrap: Sequence[float]) -> float:
    """Return the share of released jobs that leave good, prod_i (1 - p_i) [FP, 9.4]."""
    return math.prod(1 - p for p in scrap)


def operating_failure_shares(
    mean_process_time: float, mtbf: float, mttr: float, utilization: float | None = None
) -> dict[str, float]:
    """Return busy and down shares of a single machine whose failure clock runs only while busy.

    Per unit of processing time there are 1 / MTBF failures of mean length MTTR, so in
    the long run down = (MTTR / MTBF) busy whatever the load (renewal-reward). Saturated
    (``utilization`` None): busy + down = 1, hence busy = MTBF / (MTBF + MTTR),
    down = MTTR / (MTBF + MTTR) and TH = busy / t_e [FP, 8.4.3 with A = MTBF/(MTBF+MTTR)].
    Otherwise busy is the given offered load lambda t (work conservation).
    """
    ratio = mttr / mtbf
    busy = 1 / (1 + ratio) if utilization is None else utilization
    return {"busy": busy, "down": ratio * busy, "throughput": busy / mean_process_time}


def calendar_failure_shares(mtbf: float, mttr: float) -> dict[str, float]:
    """Return up and down shares of a machine whose failure clock runs in calendar time.

    Up and repair times alternate whatever the machine does, an alternating renewal
    process: availability A = MTBF / (MTBF + MTTR), down share 1 - A [FP, 8.4.3].
    """
    availability = mtbf / (mtbf + mttr)
    return {"availability": availability, "down": 1 - availability}


def saturated_throughput(
    mean_cycle_time: float, batch_size: int = 1, availability: float = 1.0
) -> float:
    """Return the throughput of a never-starved, never-blocked machine, A k / E[T] [FP, 8.4].

    A renewal-reward argument: each cycle of mean length E[T] / A (repairs included) yields
    k jobs.
    """
    return availability * batch_size / mean_cycle_time


def gi_m_1_sigma(interarrival_lst: Callable[[float], float], service_rate: float) -> float:
    """Return sigma in (0, 1), the root of sigma = A*(mu (1 - sigma)) of GI/M/1 [GH, 5.3].

    ``interarrival_lst`` is the Laplace-Stieltjes transform A*(s) of the interarrival time
    (a callable); the queue must be stable (mean interarrival > 1 / mu).
    """

    def gap(sigma: float) -> float:
        return interarrival_lst(service_rate * (1 - sigma)) - sigma

    return float(optimize.brentq(gap, 1e-12, 1 - 1e-9, xtol=1e-15))


def erlang_batch_flow_time(
    arrival_rate: float, batch_size: int, batch_service_rate: float
) -> float:
    """Return the mean flow time of a job at a full-batch station with Poisson job arrivals.

    Jobs arrive Poisson(lambda); a batch of k starts only with k jobs (min = size = k) and
    takes an exponential time of rate mu. Complete batches then arrive as Erlang-k(lambda)
    renewals at a single exponential server, a GI/M/1 queue [GH, 5.3]: its waiting time is
    Wq = sigma / (mu (1 - sigma)), sigma = A*(mu (1 - sigma)), A*(s) = (lambda/(lambda+s))^k.
    The i-th job of a batch first waits k - i arrivals for it to fill, (k - 1) / (2 lambda)
    on average, so W = (k - 1) / (2 lambda) + Wq + 1 / mu.
    """
    k = batch_size

    def lst(s: float) -> float:
        return (arrival_rate / (arrival_rate + s)) ** k

    sigma = gi_m_1_sigma(lst, batch_service_rate)
    wait = sigma / (batch_service_rate * (1 - sigma))
    return (k - 1) / (2 * arrival_rate) + wait + 1 / batch_service_rate


def two_station_blocking(rate_1: float, rate_2: float, buffer: int) -> dict[str, float]:
    """Return throughput and state shares of two exponential machines with a finite buffer.

    Machine 1 is never starved; machine 2's input buffer holds ``buffer`` jobs waiting (not
    the one in process); machine 1 blocks after service, holding its finished job, while
    machine 2 has one in process and ``buffer`` waiting [BG, 5.2]. The CTMC has states
    n = 0..B+1 (jobs at machine 2, in process included, machine 1 working) and n = B+2
    (machine 1 blocked, machine 2 full):

    - n -> n + 1 at rate mu_1 for n <= B + 1 (at n = B + 1 machine 1 finishes and blocks),
    - n -> n - 1 at rate mu_2 for n >= 1 (from B + 2 the held job moves into the buffer and
      machine 1 restarts).

    The generator Q is solved for pi Q = 0, sum pi = 1: TH = mu_2 P(n >= 1), machine 1 is
    blocked a share pi_{B+2} of the time and machine 2 starved pi_0. (It is a birth-death
    chain, pi_n proportional to (mu_1 / mu_2)^n; the matrix solve keeps the model explicit.)
    """
    states = buffer + 3
    q = np.zeros((states, states))
    for n in range(states - 1):
        q[n, n + 1] = rate_1
    for n in range(1, states):
        q[n, n - 1] = rate_2
    np.fill_diagonal(q, -q.sum(axis=1))
    system = np.vstack([q.T, np.ones(states)])
    rhs = np.zeros(states + 1)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(system, rhs, rcond=None)
    return {
        "throughput": float(rate_2 * pi[1:].sum()),
        "blocked": float(pi[-1]),
        "starved": float(pi[0]),
    }


def make_to_stock(demand_rate: float, service_rate: float, stock: int) -> dict[str, float]:
    """Return the fill rate [-], mean backlog and mean finished stock [units] of the M/M/1
    make-to-stock system with base stock ``stock`` = S [BG] [Z].

    Every demand (Poisson, rate lambda, one unit) releases one unit to a single exponential
    machine (rate mu), so the outstanding orders N are the M/M/1 number in system,
    P(N >= n) = rho^n with rho = lambda / mu; stock is (S - N)+, backlog (N - S)+. Hence
    fill rate = P(N < S) = 1 - rho^S (PASTA), E[backlog] = rho^(S+1) / (1 - rho) and
    E[stock] = S - rho (1 - rho^S) / (1 - rho).
    """
    rho = demand_rate / service_rate
    return {
        "fill_rate": 1.0 - rho**stock,
        "backlog": rho ** (stock + 1) / (1.0 - rho),
        "finished_stock": stock - rho * (1.0 - rho**stock) / (1.0 - rho),
    }


def mm1_feedback(arrival_rate: float, service_rate: float, feedback: float) -> dict[str, float]:
    """Return visit rate, utilisation, WIP and flow time of an M/M/1 station whose every
    completion re-enters its queue with probability p (Bernoulli feedback) [GH, 2.10;
    Jackson network of one node].

    Visits arrive at lambda / (1 - p), rho = lambda / ((1 - p) mu), L = rho / (1 - rho)
    and, by Little's law over the whole stay, W = L / lambda.
    """
    visits = arrival_rate / (1 - feedback)
    rho = visits / service_rate
    if rho >= 1:
        raise ValueError("unstable queue: lambda / (1 - p) >= mu")
    wip = rho / (1 - rho)
    return {"visits": visits, "utilization": rho, "wip": wip, "flow_time": wip / arrival_rate}
