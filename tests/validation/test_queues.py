"""Open queues fed by Poisson arrivals: M/M/1, M/M/c and a Jackson tandem.

A push release with an exponential interarrival time is a Poisson arrival stream; every
line starts empty and is warmed up for many relaxation times before measuring.
"""

from __future__ import annotations

from . import theory
from .harness import assert_ci, assert_little, exponential, make_line, replicate


def test_mm1() -> None:
    """M/M/1 at rho = 0.7 (lambda = 0.7 /h, mu = 1 /h): W = 1 / (mu - lambda) = 3.33 h,
    L = rho / (1 - rho) = 2.33, utilisation rho; each inside the 99.9 % interval of
    40 replications of 80 000 h (half-width under 3 % of the value)."""
    arrival_rate, service_rate = 0.7, 1.0
    line = make_line(
        {
            "name": "mm1",
            "release": {"policy": "push", "interarrival": exponential(1 / arrival_rate)},
            "stations": [{"name": "server", "process_time": exponential(1 / service_rate)}],
        }
    )
    runs = replicate(line, horizon=80_000.0, warmup=500.0, replications=40)
    expected = theory.mm1(arrival_rate, service_rate)
    assert_ci(runs, "M/M/1 rho=0.7: flow time", runs.line("flow_time"), expected["flow_time"])
    assert_ci(runs, "M/M/1 rho=0.7: WIP", runs.line("wip"), expected["wip"])
    assert_ci(
        runs,
        "M/M/1 rho=0.7: utilisation",
        runs.station("server", "utilization"),
        expected["utilization"],
    )
    assert_little(runs)


def test_mmc() -> None:
    """M/M/3 at rho = 0.7 (lambda = 2.1 /h, mu = 1 /h per machine, ``machines: 3``):
    W = C(3, 2.1) / (3 mu - lambda) + 1 / mu (Erlang C), L = lambda W, utilisation
    lambda / (3 mu); 99.9 % interval of 20 replications of 30 000 h."""
    arrival_rate, service_rate, servers = 2.1, 1.0, 3
    line = make_line(
        {
            "name": "mm3",
            "release": {"policy": "push", "interarrival": exponential(1 / arrival_rate)},
            "stations": [
                {"name": "cell", "machines": servers, "process_time": exponential(1 / service_rate)}
            ],
        }
    )
    runs = replicate(line, horizon=30_000.0, warmup=500.0, replications=20)
    expected = theory.mmc(arrival_rate, service_rate, servers)
    assert_ci(runs, "M/M/3 rho=0.7: flow time", runs.line("flow_time"), expected["flow_time"])
    assert_ci(runs, "M/M/3 rho=0.7: WIP", runs.line("wip"), expected["wip"])
    assert_ci(
        runs,
        "M/M/3 rho=0.7: utilisation",
        runs.station("cell", "utilization"),
        expected["utilization"],
    )
    assert_little(runs)


def test_jackson_tandem() -> None:
    """Three exponential stations in series, unlimited buffers, lambda = 1 /h, mean times
    0.5, 0.7 and 0.6 h (rho = 0.5, 0.7, 0.6): W = sum 1 / (mu_i - lambda) = 4.83 h and
    L = sum rho_i / (1 - rho_i); 99.9 % interval of 30 replications of 30 000 h."""
    arrival_rate = 1.0
    means = (0.5, 0.7, 0.6)
    line = make_line(
        {
            "name": "jackson",
            "release": {"policy": "push", "interarrival": exponential(1 / arrival_rate)},
            "stations": [
                {"name": f"s{index}", "process_time": exponential(mean)}
                for index, mean in enumerate(means)
            ],
        }
    )
    runs = replicate(line, horizon=30_000.0, warmup=500.0, replications=30)
    expected = theory.jackson_tandem(arrival_rate, [1 / mean for mean in means])
    assert_ci(
        runs,
        "Jackson tandem (0.5/0.7/0.6): flow time",
        runs.line("flow_time"),
        expected["flow_time"],
    )
    assert_ci(runs, "Jackson tandem (0.5/0.7/0.6): WIP", runs.line("wip"), expected["wip"])
    for index, mean in enumerate(means):
        assert_ci(
            runs,
            f"Jackson tandem: u(s{index})",
            runs.station(f"s{index}", "utilization"),
            arrival_rate * mean,
        )
    assert_little(runs)
