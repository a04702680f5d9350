"""Hand-written cue words per route: prior knowledge that carries to phrasings no training example has.

Each route has a few dozen cue words and phrases a person would recognise ("segfault" means
debug even if no training request said it). `cues(instruction)` counts the matches per route in
the bounded instruction; the counts join the classifier's features (the rules half of a
rules + TF-IDF mix), so a cue shifts the probabilities rather than deciding alone.

Matching is one tokenisation and dictionary lookups (no regex pass per cue list): a phrase is
looked up as the space-joined n-gram starting at each token, a `word*` entry by its prefix, a
`^phrase` only at the start of a line, and an intent (a verb with its object a few words on,
before the next full stop) by a forward look over a bounded window.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from itertools import compress, count, islice, repeat
from operator import itemgetter
from types import MappingProxyType
from typing import Final

# Entries are space-separated; the words of a phrase are joined by "_", "a|b" gives alternatives
# for one word, a trailing "*" on a one-word entry matches every word with that prefix, and a
# leading "^" matches only at the start of a line, and a "?" word matches any one word.
# "'s" reads as a word "s" ("what's" -> "what s"), other apostrophes are dropped ("doesn't" reads
# "doesnt"); numbers read "0" (one digit) or "00" (two or more).
CUES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "implement": (
            "add adds adding implement* write create build make support generate feature endpoint flag "
            "option function_to new set_the change_the return give_me_a allow enable let_users mockup "
            "mock-up wireframe figma pixel-perfect exactly_like like_the_screenshot|mockup|design"
        ),
        "debug": (
            "fix* bug bugs error errors exception exceptions crash* fail* broken wrong doesnt_work "
            "not_working issue segfault* panic* leak* race regression stuck hang* off_by undefined null "
            "traceback stacktrace stack_trace why_is|does why_am|do_i red green debug* root_cause "
            "reproduce flicker* glitch* collapse* misalign* overlap* overflows jank* upside_down "
            "breaks broke cut_off looks_wrong|off|broken renders|rendered_wrong|wrong|incorrectly|blank "
            "only_in_safari|firefox|chrome|edge|ios|android throws thrown throwing "
            "prints|shows|returns_nothing|twice|empty|blank pass|passes|passing|green_but"
        ),
        "tests": (
            "test tests testing coverage pytest jest junit vitest mocha fixture fixtures mock mocks e2e "
            "end-to-end playwright cypress hypothesis property-based fuzz* table-driven parametrise "
            "parametrize end_to_end untested"
        ),
        "refactor": (
            "refactor* cleanup simplif* extract split reorganis* reorganiz* restructur* idiomatic readab* "
            "duplicat* decouple untangle migrate port convert replace unused tidy "
            "clean|cleans|cleaned|cleaning_up dead_code same_behaviour|behavior "
            "no_behaviour|behavior_change keep_the_behaviour|behavior without_changing dispatch_table "
            "parametrised_function more_readable"
        ),
        "review": (
            "review* lgtm critique feedback audit approve pr patch look_over any_problems|issues "
            "is_this|my_ok|correct|good|fine is_this|my_code_ok|correct|good|fine pull_request "
            "my|these|the|uncommitted_changes security_problems "
            "before_merge|merges|merging|merged|push|pushes|pushing|pushed "
            "before_i_merge|merges|merging|merged|push|pushes|pushing|pushed would_you_approve "
            "what_should_i_fix_before look|looks_wrong|off_to_you see_any_issues|problems|bugs any_bugs "
            "not_asking_you_to_fix just_comments eyeball* once-over second_opinion sanity_check "
            "would_you_merge|ship ok_to_commit|merge|ship|push before_it_lands|ships before_it_goes_out "
            "anything_risky|obvious critical_read|look|eye double_check_me|this|my"
        ),
        "docs": (
            "docstring docstrings document* readme changelog comment comments jsdoc javadoc docs typo "
            "typos guide wiki commit_message pr_description release_notes "
            "explaining_the_tricky commit_msg msg_for"
        ),
        "plan": (
            "plan* design* architect* structure outline propose approach strategy roadmap steps tradeoff "
            "tradeoffs trade-off trade-offs compare options schema risks rollback phase phases milestone "
            "milestones spec sketch break_down break_it_down should_i|we before_touching|writing|we "
            "todo_list best_way tickets mvp v1 first_version scope_it what_would_you_pick|do|use "
            "which_would_you_pick|use"
        ),
        "explain": (
            "explain* what_s why where understand difference meaning locate defined complexity "
            "what_does|is|are how_does|do|is which_file walk_me_through find_every i_dont_get is_it_safe "
            "how_should|can_i what_happens whats is_it_bad|normal"
        ),
        "command": (
            "run running install* setup configure docker kubectl kubernetes k8s git command terminal "
            "shell bash zsh one-liner kill logs systemd ssh deploy restore backup disk cron commit "
            "commits undo stash cherry-pick chmod sudo apt brew path grep sed awk find ci workflow npm "
            "pip cargo make squash rebase bisect compile toolchain container server process nginx "
            "logrotate environment pre-commit tag set_up port_0|00 env_var"
        ),
        "code": (
            "code codebase function class method api endpoint repo service database sql query file module "
            "app server commit branch python javascript typescript java golang go rust c++ c# react "
            "django flask fastapi css html json yaml docker library package compiler variable regex "
            "script cli frontend backend schema migration deploy bug stack thread async cache redis "
            "postgres mysql files worker queue job jobs scheduler retry request route token session "
            "config webhook webhooks ui component pipeline test tests build kotlin swift php ruby bash "
            "linux git program algorithm array string integer list dict loop exception compile crate npm "
            "pip sdk orm websocket http url auth login layout page screen screens screenshot safari "
            "firefox chrome chromium browser browsers webkit dropdown navbar modal button sidebar "
            "viewport responsive mobile render* px flexbox tailwind svg canvas stylesheet graphql grpc "
            "jwt jwts oauth sso microservice microservices kafka rabbitmq celery admin admins dashboard "
            "form checkbox"
        ),
        "general": (
            "email recipe poem story essay letter speech translate travel trip dog puppy wedding history "
            "philosophy prove theorem movie book song health diet boil cook gift marketing lesson novel "
            "haiku rent buy salary interview capital_of blog_post"
        ),
        # Intents: a verb with its object, or a phrase at the start of a line.
        "intent_tests": "",  # verb + object: INTENTS
        "intent_docs": "",
        "intent_plan": (
            "^plan|design|architect|outline|break|propose|sketch ^think_through "
            "how_would|should_you|we|i_architect|design|structure|approach|model no_code_yet "
            "dont_write|change_code|anything_yet dont_write|change_any_code|anything_yet "
            "before_touching|writing before_we_build just_the_design tradeoffs trade-offs"
        ),
        "intent_command": (
            "^run|start|install|deploy|restart|kill|squash|rebase|bisect|rotate|restore|upgrade|configure "
            "^set_up ^build_the ^free_up ^get_the_?_running git|shell|bash|docker_command one-liner "
            "how_do_i_see|list|undo|find|delete|remove|check"
        ),
        "intent_review": "^review|check|audit|critique|rate ^look_over ^sanity_check before_i_merge|push",
        "intent_explain": (
            "^what|whats|how|why|where|which|explain ^can_you_explain ^walk_me ^i_dont_get|understand"
        ),
        # Not routes: how big the job is (difficulty cues).
        "scope_hard": (
            "across all whole entire every codebase monorepo services multi-* intermittent* leak "
            "production distributed consisten* concurren* billion billions million millions real-time "
            "end-to-end offline-first multi-region privilege crdt crdts thorough* platform cross-* "
            "zero_downtime race_condition under_load full_picture 00_tests|routes|files"
        ),
        "scope_easy": (
            "typo* rename one-line one-liner quick* just simple small default palindrome capital lgtm "
            "docstring single tiny trivial little a_few this_function a_function what_s_the whats_the "
            "how_do_i"
        ),
    }
)

# An intent: one of these verbs, then one of these objects within INTENT_WINDOW words before the
# next full stop or line end ("write a few unit tests"), or one of the phrases. Matches are
# counted left to right without overlap, a verb + object match running to its last object.
INTENTS: Final[Mapping[str, tuple[frozenset[str], frozenset[str], tuple[tuple[str, ...], ...]]]] = (
    MappingProxyType(
        {
            "intent_tests": (
                frozenset("write add create generate make need give cover set".split()),
                frozenset("test tests coverage".split()),
                (("test", "for"), ("tests", "for"), ("cover", "the", "case")),
            ),
            "intent_docs": (
                frozenset("write add update generate draft".split()),
                frozenset(
                    "docstring docstrings docs documentation readme comments changelog commit guide release "
                    "section description".split()
                ),
                (("document", "this"), ("document", "the"), ("document", "it")),
            ),
        }
    )
)
INTENT_WINDOW = 8

CUE_NAMES: Final[tuple[str, ...]] = tuple(CUES)

CUE_HEAD = 300  # cues are read in the instruction's head and tail: the ask is there
CUE_TAIL = 100

# Words (hyphenated whole, "c++"/"c#"), line ends, and every other mark as a token of its own, so
# that a phrase does not match across punctuation (as the regex lexicon did not).
# Possessive: a word's greedy match is never given back (what follows it may match empty).
_TOKEN = re.compile(r"\w++(?:-\w++)*+(?:(?:\+\+|#)(?![\w-]))?|\n|[^\w\s]")
# ". " after a non-word: the regex lexicon's "^" matched here. The "." first (the look-behind
# after it: "not a word character before the dot"), so the scan jumps from dot to dot.
_SENTENCE = re.compile(r"\.(?<![\w-]\.) ")
_BOUNDARY = frozenset("\n")  # a "^" phrase starts a line (as the regex lexicon read it) ...
_STOP = frozenset(".\n")  # ... and an intent's object is looked for up to the next "." or line end
_MAX_N = 5
_STEM = itemgetter(slice(None, 3))  # a word's first three characters: tok[:3]
_ASCII_DIGIT = re.compile(r"[0-9]")


def _entries(spec: str) -> Iterable[str]:
    """The phrases of one cue spec, alternatives expanded ("why_is|does" -> "why is", "why does")."""
    for entry in spec.split():
        anchor = "^" if entry.startswith("^") else ""
        slots = (slot.split("|") for slot in entry.lstrip("^").split("_"))
        for words in itertools.product(*slots):
            yield anchor + " ".join(words)


def _tables() -> tuple[Mapping[str, tuple[int, ...]], Mapping[str, tuple[int, ...]], Mapping[str, int]]:
    """(phrase -> cue indices, prefix -> cue indices, first word of a phrase -> longest phrase).

    A cue index appears once per count: a phrase holding words that are cues of its own list
    ("would you approve" holds "approve") counts one match in all, as the regex lexicon's
    non-overlapping matches did, so it carries a negative entry (-1 - k) per word counted twice."""
    phrases: dict[str, list[int]] = {}
    prefixes: dict[str, list[int]] = {}
    longest: dict[str, int] = {}
    for k, name in enumerate(CUE_NAMES):
        for entry in _entries(CUES[name]):
            if "?" in entry.split():
                continue  # a gapped phrase: _GAPPED
            table = prefixes if entry.endswith("*") else phrases
            table.setdefault(entry.rstrip("*"), []).append(k)
            words = entry.lstrip("^").split()
            if len(words) > 1:
                longest[words[0]] = max(longest.get(words[0], 0), len(words))
    base = {p: tuple(ks) for p, ks in phrases.items()}
    for phrase, ks in phrases.items():
        words = phrase.lstrip("^").split()
        inner = [
            k
            for w in words
            for k in (*_prefix_cues(w, prefixes), *(base.get(w, ()) if len(words) > 1 else ()))
        ]
        ks += [-1 - k for k in inner if k in ks]
    return (
        MappingProxyType({p: tuple(sorted(set(ks) if len(ks) == 1 else ks)) for p, ks in phrases.items()}),
        MappingProxyType({p: tuple(sorted(set(ks))) for p, ks in prefixes.items()}),
        MappingProxyType(longest),
    )


def _prefix_cues(word: str, prefixes: Mapping[str, list[int]]) -> list[int]:
    return [
        k
        for n in range(3, len(word) + 1)
        if word[:n] in prefixes and (word[n - 1] == "-" or "-" not in word[n:])
        for k in prefixes[word[:n]]
    ]


_PHRASES, _PREFIXES, _LONGEST = _tables()
# Phrases with a "?" word (any one word), matched at line starts: (cue index, words).
_GAPPED: Final[tuple[tuple[int, tuple[str, ...]], ...]] = tuple(
    (k, tuple(entry.lstrip("^").split()))
    for k, name in enumerate(CUE_NAMES)
    for entry in _entries(CUES[name])
    if "?" in entry.split()
)
_GAPPED_STARTS: Final[frozenset[str]] = frozenset(words[0] for _, words in _GAPPED)
_PREFIX_STEMS: Final[frozenset[str]] = frozenset(p[:3] for p in _PREFIXES)
# Every prefix is 3 characters or more: a word can start only the prefixes of its own first three.
_STEM_LENS: Final[Mapping[str, tuple[int, ...]]] = MappingProxyType(
    {stem: tuple(sorted({len(p) for p in _PREFIXES if p[:3] == stem})) for stem in _PREFIX_STEMS}
)
_PHRASE_KEYS: Final[frozenset[str]] = frozenset(_PHRASES)
# Every phrase's first words, 2 to all of them ("why is", "^how do", "^how do i").
_PHRASE_HEADS: Final[frozenset[str]] = frozenset(
    " ".join(words[:m]) for words in map(str.split, _PHRASES) for m in range(2, len(words) + 1)
)
# First word (or "^" + it) -> the words that may follow it in some phrase: a start whose next
# word is not among them begins no phrase longer than itself (what `_longer` would find out).
_SECOND: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        first: frozenset(h.split(" ")[1] for h in _PHRASE_HEADS if h.split(" ")[0] == first)
        for first in {h.split(" ")[0] for h in _PHRASE_HEADS}
    }
)
_NONE: Final[frozenset[str]] = frozenset()
_Intent = tuple[int, frozenset[str], frozenset[str], tuple[tuple[str, ...], ...]]
_INTENT_IDS: Final[tuple[_Intent, ...]] = tuple(
    (CUE_NAMES.index(name), *spec) for name, spec in INTENTS.items()
)
_INTENT_STARTS: Final[frozenset[str]] = frozenset().union(
    *(verbs | {p[0] for p in phrases} for verbs, _, phrases in INTENTS.values())
)


def tokens(text: str) -> list[str]:
    """Lower-cased words (hyphenated words whole, numbers as "0"/"00"), full stops and line ends."""
    text = text.lower().replace("'s", " s").replace("'", "")
    out = _TOKEN.findall(_SENTENCE.sub("\n", text) if ". " in text else text)
    if text.isascii() and _ASCII_DIGIT.search(text) is None:
        return out  # no token is a number
    return [("0" if len(t) == 1 else "00") if t.isdigit() else t for t in out]


def _add(counts: list[int], ks: tuple[int, ...]) -> None:
    for k in ks:
        if k >= 0:
            counts[k] += 1
        else:
            counts[-1 - k] -= 1


def _phrase_hits(toks: list[str], counts: list[int]) -> None:
    """Count every phrase occurrence: each word, the phrases starting at each word that begins
    some cue phrase, the same anchored ("^...") at the start of a line, and the cue prefixes the
    words start with ("segfaults" -> "segfault"). Counts are sums, so in any order: each kind of
    hit is found by set membership in C (filter, compress) and only the hits reach Python."""
    phrases = _PHRASES
    for tok in filter(_PHRASE_KEYS.__contains__, toks):
        _add(counts, phrases[tok])
    # The words whose next word may continue a phrase they begin (each word's `_SECOND` set,
    # asked about the next word, in C): only those can begin a phrase longer than one word.
    nexts = map(frozenset.__contains__, map(_SECOND.get, toks, repeat(_NONE)), islice(toks, 1, None))
    for i in compress(count(), nexts):
        _longer(toks, i, toks[i], counts)
    n = len(toks)
    if n:  # line starts: the first word and every word after a line end
        for i in itertools.chain((0,), compress(count(1), map(_BOUNDARY.__contains__, toks))):
            if i < n:
                tok = toks[i]
                _longer(toks, i, "^" + tok, counts)
                if tok in _GAPPED_STARTS:
                    _gapped(toks, i, counts)
    for tok in compress(toks, map(_PREFIX_STEMS.__contains__, map(_STEM, toks))):
        _prefixes(tok, counts)


def _longer(toks: list[str], i: int, key: str, counts: list[int]) -> None:
    """The phrases `key` (the word at i, or "^" + it) begins, extended a word at a time while the
    words so far begin some phrase (_PHRASE_HEADS): no longer phrase can match after that."""
    heads, keys = _PHRASE_HEADS, _PHRASE_KEYS
    if key[0] == "^" and key in keys:
        _add(counts, _PHRASES[key])
    for j in range(i + 1, len(toks)):
        key = key + " " + toks[j]
        if key not in heads:
            return
        if key in keys:
            _add(counts, _PHRASES[key])


def _gapped(toks: list[str], i: int, counts: list[int]) -> None:
    """The phrases with a "?" word (any one word) at the line start i."""
    for k, words in _GAPPED:
        got = toks[i : i + len(words)]
        if len(got) == len(words) and all(w in ("?", t) for w, t in zip(words, got, strict=True)):
            counts[k] += 1


def _prefixes(tok: str, counts: list[int]) -> None:
    for n in _STEM_LENS[tok[:3]]:
        if n <= len(tok) and tok[:n] in _PREFIXES and (tok[n - 1] == "-" or "-" not in tok[n:]):
            _add(counts, _PREFIXES[tok[:n]])


def _intents(toks: list[str], counts: list[int]) -> None:
    """Count each intent's verb + object and phrase matches, left to right without overlap."""
    starts = list(compress(count(), map(_INTENT_STARTS.__contains__, toks)))
    if not starts:
        return
    for k, verbs, objects, phrases in _INTENT_IDS:
        free = 0
        for i in starts:
            if i < free:
                continue
            end = _verb_object(toks, i, objects) if toks[i] in verbs else 0
            end = end or next((i + len(p) for p in phrases if tuple(toks[i : i + len(p)]) == p), 0)
            if end:
                counts[k] += 1
                free = end


def _verb_object(toks: list[str], i: int, objects: frozenset[str]) -> int:
    """The position after the last object within INTENT_WINDOW words after the verb at i (0: none)."""
    end = 0
    for j in range(i + 1, min(i + 1 + INTENT_WINDOW, len(toks))):
        if toks[j] in _STOP:
            break
        if toks[j] in objects:
            end = j + 1
    return end


def count_tokens(toks: list[str]) -> tuple[int, ...]:
    """Cue counts of a token list (every phrase occurrence counts, overlapping ones too)."""
    counts = [0] * len(CUE_NAMES)
    _phrase_hits(toks, counts)
    _intents(toks, counts)
    return tuple(counts)


def cues(instruction: str) -> tuple[int, ...]:
    """How many cue words of each of CUE_NAMES the instruction holds (case-insensitive)."""
    if len(instruction) > CUE_HEAD + CUE_TAIL:
        instruction = instruction[:CUE_HEAD] + "\n" + instruction[-CUE_TAIL:]
    return count_tokens(tokens(instruction))
