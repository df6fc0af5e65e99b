"""The command line: commands, the wizard, console output, and the one error boundary."""
