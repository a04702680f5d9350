"""Agent tasks: small repositories, an instruction, a mechanical grader of the end state, and the
drivers (the built-in tool loop, the Kilo CLI) that run a model on them through the gateway."""
