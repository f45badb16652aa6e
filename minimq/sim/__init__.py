"""The simulated world: virtual-time loop, seeded randomness, network and fault plans."""
