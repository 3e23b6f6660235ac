"""互联网+监管 and 双随机、一公开 (issue 26): supervision items, inspectors, inspected objects,
reproducible random draws, results made public, and 告知承诺 后核查."""
