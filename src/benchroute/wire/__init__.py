"""Every API dialect, translated through the canonical model (`wire.canonical`).

One module per dialect, each with the same names: `parse_request`, `render_request`,
`parse_response`, `render_response`, `StreamParser`, `StreamRenderer` —

- `wire.chat`: OpenAI chat completions (Kilo Code, the OpenAI SDK; OpenAI-compatible upstreams)
- `wire.anthropic`: Anthropic Messages (Claude Code, the Anthropic SDK; Anthropic upstreams)
- `wire.responses`: OpenAI Responses (the Codex CLI)

Client direction: `parse_request` -> ChatRequest; `render_response` / `StreamRenderer` answer.
Upstream direction: `render_request` -> body; `parse_response` / `StreamParser` read the answer.
Malformed bodies raise `wire.errors.WireError` (400 for clients, 502 for upstreams).
`wire.sse` decodes SSE framing. Nothing here does I/O.
"""
