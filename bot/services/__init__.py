"""Services the commands and front ends share: live sources, periodic sync, plain answers, tool console."""
