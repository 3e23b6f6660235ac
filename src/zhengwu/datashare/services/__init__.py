"""数据共享 write paths, one module per concern (catalogue, lists, systems, sharing, monitoring, verify …)."""
