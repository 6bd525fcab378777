"""Mesa's Boltzmann wealth model, timed, as the yardstick of docs/PERFORMANCE.md.

Every agent that has wealth hands one unit to another agent drawn at random,
the agents acting in a random order each step (Mesa's `shuffle_do`). This is
the model of Mesa's own tutorial and benchmarks, with the agents also kept in
a plain list so that drawing a partner costs O(1).

    python -m venv /tmp/mesa && /tmp/mesa/bin/pip install mesa==3.3.1
    /tmp/mesa/bin/python analysis/bench/boltzmann_mesa.py --agents 100000 --steps 20

Prints agent-steps per second (agents x steps / wall seconds of stepping).
"""

import argparse
import time

import mesa


class MoneyAgent(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.wealth = 1

    def step(self):
        if self.wealth > 0:
            other = self.random.choice(self.model.agent_list)
            other.wealth += 1
            self.wealth -= 1


class MoneyModel(mesa.Model):
    def __init__(self, n, seed=1):
        super().__init__(seed=seed)
        MoneyAgent.create_agents(self, n)
        self.agent_list = list(self.agents)

    def step(self):
        self.agents.shuffle_do("step")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    model = MoneyModel(args.agents)
    started = time.perf_counter()
    for _ in range(args.steps):
        model.step()
    seconds = time.perf_counter() - started
    total = sum(a.wealth for a in model.agent_list)
    assert total == args.agents, "wealth is conserved"
    print(
        f"mesa {mesa.__version__} Boltzmann wealth: {args.agents} agents, {args.steps} steps, "
        f"{seconds:.2f} s, {args.agents * args.steps / seconds:.3e} agent-steps/s"
    )


if __name__ == "__main__":
    main()
