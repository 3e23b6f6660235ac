"""数据共享 services: the one write path, one module per concern."""
