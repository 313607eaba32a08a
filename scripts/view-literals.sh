#!/usr/bin/env bash
# Fails when a view writes words of its own: every sentence and label an officer reads comes
# from Rust (screens/src/text.rs, through the screens' states, `chrome()` and `labels()`).
#
#   scripts/view-literals.sh FILE…        (called by scripts/swift-check.sh for ios/Offduty and
#                                          by scripts/kotlin-test.sh for android/app)
#
# A string literal is user-facing when it is the text of a view or a label: the first argument
# of SwiftUI's Text, Button, Label, Section, Toggle, Picker, TextField, SecureField, DatePicker,
# Menu, Marker, ProgressView, LabeledContent, ShareLink; of .accessibilityLabel/Hint/Value,
# .navigationTitle, .confirmationDialog, .alert, .help; Compose's Text("…")/Text(text = "…"),
# `contentDescription = "…"`, `label = "…"`, `onClickLabel = "…"`, `placeholder = "…"`,
# `title = "…"`, a notification's setContentTitle/Text/setTicker. It is allowed when, once its
# interpolations (`\(…)`, `${…}`, `$name`) are removed, no letter is left (`"\(a) · \(b)"`).
# SF Symbols and icon names are arguments the patterns do not name (`systemImage:`); comments
# are skipped. Plain python3, no dependencies.
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 FILE…" >&2; exit 2; }

python3 - "$@" <<'PY'
import re
import sys

VIEW_CALLS = (
    r"Text|Button|Label|Section|Toggle|Picker|TextField|SecureField|DatePicker|Menu|Marker"
    r"|ProgressView|LabeledContent|ShareLink|Tab"
)
MODIFIERS = r"accessibilityLabel|accessibilityHint|accessibilityValue|navigationTitle|confirmationDialog|alert|help"
NOTIFICATION = r"setContentTitle|setContentText|setTicker|setSubText"
NAMED = r"contentDescription|label|onClickLabel|placeholder|title|text|stateDescription"
# What comes right before a user-facing literal (the code before the opening quote).
BEFORE = re.compile(
    rf"(?:(?<![\w.])(?:{VIEW_CALLS})\(\s*(?:text\s*=\s*)?"
    rf"|\.(?:{MODIFIERS})\(\s*"
    rf"|\.(?:{NOTIFICATION})\(\s*"
    rf"|(?<![\w.])(?:{NAMED})\s*=\s*)$"
)


def scan(src, kotlin):
    """Yields (line, literal text outside interpolations, code before it) for every string
    literal outside comments."""
    i, n, line = 0, len(src), 1
    code = []  # the code seen so far on this statement, strings replaced by ""

    def read_string(i, line):
        # src[i] is the opening quote; returns (index after the closing quote, line, plain text).
        triple = src.startswith('"""', i)
        i += 3 if triple else 1
        plain = []
        while i < n:
            c = src[i]
            if c == "\n":
                line += 1
            if triple and src.startswith('"""', i):
                return i + 3, line, "".join(plain)
            if not triple and c == '"':
                return i + 1, line, "".join(plain)
            if c == "\\" and not kotlin and i + 1 < n and src[i + 1] == "(":
                i, line = skip_group(i + 2, line, "(", ")")
                continue
            if c == "\\":
                i += 2
                continue
            if kotlin and c == "$" and i + 1 < n and src[i + 1] == "{":
                i, line = skip_group(i + 2, line, "{", "}")
                continue
            if kotlin and c == "$" and i + 1 < n and (src[i + 1].isalpha() or src[i + 1] == "_"):
                i += 1
                while i < n and (src[i].isalnum() or src[i] == "_"):
                    i += 1
                continue
            plain.append(c)
            i += 1
        return i, line, "".join(plain)

    def skip_group(i, line, open_, close):
        depth = 1
        while i < n and depth:
            c = src[i]
            if c == '"':
                i, line, _ = read_string(i, line)
                continue
            if c == "\n":
                line += 1
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
            i += 1
        return i, line

    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += src.count("\n", i, j)
            i = j
            continue
        if c == '"':
            start_line = line
            before = "".join(code[-200:])
            i, line, plain = read_string(i, line)
            yield start_line, plain, before
            code.append('""')
            continue
        if c == "\n":
            line += 1
        code.append(c)
        i += 1


def offending(src, kotlin):
    for line, plain, before in scan(src, kotlin):
        if BEFORE.search(before) and re.search(r"[^\W\d_]", plain):
            yield line, plain


# Self-test: the check must catch what it is for, and let through what it allows.
BAD_SWIFT = [
    'Text("Sign in")', 'Button("Save") {}', 'Section("Pay") {', '.accessibilityLabel("Dismiss")',
    '.navigationTitle("offduty")', 'Label("Sort", systemImage: "x")', 'Text("Paid \\(x) · unpaid")',
]
OK_SWIFT = [
    'Text(s.title)', 'Label(appLabels.sort, systemImage: "arrow.up.arrow.down")',
    'Text("\\(a) · \\(b ?? "—")")', 'Image(systemName: "xmark")', '// Text("a comment")',
    'let x = "offduty.db"',
]
BAD_KOTLIN = [
    'Text("Close")', 'Text(text = "Close")', 'Modifier.semantics { contentDescription = "Map" }',
    '.setContentTitle("Syncing")', 'label = { Text("Server") }', 'Text("Paid ${x}")',
]
OK_KOTLIN = [
    'Text("${a} · ${b}")', 'Text(appLabels.close)', 'prefs.getBoolean("primed", false)',
    'composable("board") {', '/* Text("x") */', 'Text("• ${it.text}")',
]
for snippet in BAD_SWIFT + BAD_KOTLIN:
    kotlin = snippet in BAD_KOTLIN
    if not list(offending(snippet, kotlin)):
        print(f"view-literals: FAILED self-test: {snippet!r} not caught; the check is void")
        sys.exit(1)
for snippet in OK_SWIFT + OK_KOTLIN:
    kotlin = snippet in OK_KOTLIN
    if list(offending(snippet, kotlin)):
        print(f"view-literals: FAILED self-test: {snippet!r} flagged")
        sys.exit(1)

failed = 0
for path in sys.argv[1:]:
    src = open(path, encoding="utf-8").read()
    for line, plain in offending(src, path.endswith((".kt", ".kts"))):
        print(f"   {path}:{line}: user-facing literal {plain!r}: put it in screens/src/text.rs")
        failed += 1
if failed:
    print(f"view-literals: FAILED: {failed} literal(s) in {len(sys.argv) - 1} file(s)")
    sys.exit(1)
print(f"view-literals: ok ({len(sys.argv) - 1} file(s), no user-facing literal)")
PY
