"""Front-ends for headless experiments: runs, tables, sweeps and RL environments."""
