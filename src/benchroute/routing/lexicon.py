"""Hand-written cue words per route: prior knowledge that carries to phrasings no training example has.

Each route has a few dozen cue words and phrases a person would recognise ("segfault" means
debug even if no training request said it). `cues(instruction)` counts the matches per route in
the bounded instruction; the counts join the classifier's features (the rules half of a
rules + TF-IDF mix), so a cue shifts the probabilities rather than deciding alone.
"""

from __future__ import annotations

import re
from typing import Final

_W = r"(?<![\w-])(?:{})(?![\w-])"

CUES: Final[dict[str, str]] = {
    "implement": r"add|adds|adding|implement\w*|write|create|build|make|support|generate|feature|endpoint|"
    r"flag|option|function to|new|set the|change the|return|give me a|allow|enable|let users",
    "debug": r"fix\w*|bugs?|errors?|exceptions?|crash\w*|fail\w*|broken|wrong|doesn'?t work|not working|"
    r"issue|segfault\w*|panic\w*|leak\w*|race|regression|stuck|hang\w*|off by|undefined|null|"
    r"traceback|stack ?trace|why (?:is|does|am i|do i)|red|green|debug\w*|root cause|reproduce",
    "tests": r"tests?|testing|unit tests?|coverage|pytest|jest|junit|vitest|mocha|test cases?|fixtures?|"
    r"mocks?|e2e|end-to-end|playwright|cypress|hypothesis|property-based|fuzz\w*|snapshot tests?|"
    r"regression test|table-driven|parametri[sz]e",
    "refactor": r"refactor\w*|clean\w* up|cleanup|simplif\w*|extract|split|reorgani[sz]\w*|restructur\w*|"
    r"idiomatic|readab\w*|duplicat\w*|decouple|untangle|migrate|port|convert|replace|dead code|unused|"
    r"same behaviou?r|no behaviou?r change|keep the behaviou?r|without changing|dispatch table|"
    r"parametrised function|more readable|tidy",
    "review": r"review\w*|lgtm|critique|feedback|audit|approve|look over|any (?:problems|issues)|"
    r"is (?:this|my) (?:code )?(?:ok|correct|good|fine)|pr|pull request|patch|(?:my|these|the|"
    r"uncommitted) changes|"
    r"security problems|before (?:i )?(?:merge|push)\w*|would you approve|"
    r"what should i fix before",
    "docs": r"docstrings?|document\w*|readme|changelog|comments?|commit message|pr description|jsdoc|javadoc|"
    r"docs|typos?|api documentation|guide|wiki|release notes|explaining the tricky",
    "plan": r"plan\w*|design\w*|architect\w*|structure|break (?:it )?down|outline|propose|approach|"
    r"strategy|roadmap|steps|should (?:i|we)|trade-?offs?|compare|options|before (?:touching|writing|we)|"
    r"todo list|schema|risks|rollback|phases?|milestones?|spec|sketch|best way",
    "explain": r"explain\w*|what (?:does|is|are|'s)|what's|how (?:does|do|is)|why|where|which file|"
    r"walk me through|"
    r"understand|difference|meaning|find every|locate|defined|complexity|i don'?t get|is it safe|"
    r"how (?:should|can) i|what happens",
    "command": r"run|running|install\w*|set ?up|configure|docker|kubectl|kubernetes|k8s|git|command|"
    r"terminal|shell|bash|zsh|one-liner|kill|port \d+|logs|systemd|ssh|deploy|restore|backup|disk|cron|"
    r"commits?|undo|stash|cherry-pick|chmod|sudo|apt|brew|env var|path|grep|sed|awk|find|"
    r"ci|workflow|npm|pip|cargo|make|squash|rebase|bisect|compile|toolchain|container|server|process|"
    r"nginx|logrotate|environment|pre-commit|tag",
    "code": r"code|codebase|function|class|method|api|endpoint|repo|service|database|sql|query|file|module|"
    r"app|server|commit|branch|python|javascript|typescript|java|golang|go|rust|c\+\+|c#|react|django|"
    r"flask|fastapi|css|html|json|yaml|docker|library|package|compiler|variable|regex|script|cli|"
    r"frontend|backend|schema|migration|deploy|bug|stack|thread|async|cache|redis|postgres|mysql|files|"
    r"worker|queue|jobs?|scheduler|retry|request|route|token|session|config|webhooks?|ui|component|"
    r"pipeline|tests?|build|kotlin|swift|php|ruby|bash|linux|git|program|algorithm|array|string|"
    r"integer|list|dict|loop|exception|compile|crate|npm|pip|sdk|orm|websocket|http|url|auth|login",
    "general": r"email|recipe|poem|story|essay|letter|speech|translate|travel|trip|dog|puppy|wedding|"
    r"history|philosophy|prove|theorem|capital of|movie|book|song|health|diet|boil|cook|gift|"
    r"marketing|blog post|lesson|novel|haiku|rent|buy|salary|interview",
    # Intents: a verb with its object, at the start of a sentence (higher precision than single words).
    "intent_tests": r"(?:write|add|create|generate|make|need|give me|also cover)\b[^.\n"
    r"]{0,40}\b(?:tests?|test cases?|"
    r"coverage)|tests? for|cover the case",
    "intent_docs": r"(?:write|add|update|generate|draft)\b[^.\n"
    r"]{0,30}\b(?:docstrings?|docs|documentation|readme|"
    r"comments|changelog|commit message|guide|release notes|pr description|section)|document (?:this|the|it)",
    "intent_plan": r"(?:^|\. )(?:plan|design|architect|outline|break|propose|think through|sketch)\b|"
    r"how (?:would|should) "
    r"(?:you|we|i) (?:architect|design|structure|approach|model)|no code yet|don'?t (?:write|"
    r"change) (?:any )?"
    r"(?:code|anything) yet|before (?:touching|writing|we build)|just the design|trade-?offs",
    "intent_command": r"(?:^|\. )(?:run|start|install|set up|build the|deploy|restart|kill|squash|"
    r"rebase|bisect|"
    r"free up|rotate|restore|upgrade|configure|get the \w+ running)\b|(?:git|shell|bash|docker) command|"
    r"one-liner|how do i (?:see|list|undo|find|delete|remove|check)",
    "intent_review": r"(?:^|\. )(?:review|check|look over|audit|critique|sanity check|rate)\b|"
    r"before i (?:merge|push)",
    "intent_explain": r"(?:^|\. )(?:what|how|why|where|which|explain|can you explain|walk me|"
    r"i don'?t (?:get|understand))\b",
    # Not routes: how big the job is (difficulty cues).
    "scope_hard": r"across|all|whole|entire|every|codebase|monorepo|services|multi-\w+|zero downtime|"
    r"race condition|intermittent\w*|leak|production|distributed|consisten\w*|concurren\w*|"
    r"billions?|millions?|real-time|end-to-end|offline-first|multi-region|privilege|crdts?|"
    r"under load|thorough\w*|full picture|platform|cross-\w+|\d{2,} (?:tests|routes|services|files)",
    "scope_easy": r"typo\w*|rename|one-line|one-liner|quick\w*|just|simple|small|a few|default|"
    r"this function|a function|palindrome|capital|what's the|how do i|lgtm|docstring|single|tiny|"
    r"trivial|little",
}

CUE_NAMES: Final[tuple[str, ...]] = tuple(CUES)
_PATTERNS: Final[tuple[re.Pattern[str], ...]] = tuple(
    re.compile(_W.format(CUES[name]), re.M) for name in CUE_NAMES
)


CUE_HEAD = 300  # cues are read in the instruction's head and tail: the ask is there, and the
CUE_TAIL = 100  # regexes cost ~0.5 us per character each (benchmarks/classifier)


def cues(instruction: str) -> tuple[int, ...]:
    """How many cue words of each of CUE_NAMES the instruction holds (case-insensitive)."""
    if len(instruction) > CUE_HEAD + CUE_TAIL:
        instruction = instruction[:CUE_HEAD] + "\n" + instruction[-CUE_TAIL:]
    text = instruction.lower()  # lower once: re.IGNORECASE triples the cost of these alternations
    return tuple(len(p.findall(text)) for p in _PATTERNS)
