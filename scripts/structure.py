#!/usr/bin/env python3
"""The shape of the code: files by lines, functions by lines, and file-level import cycles.

    scripts/structure.py files [MIN]       source files of src/ over MIN lines (600), test modules apart
    scripts/structure.py functions [MIN]   functions over MIN lines (80)
    scripts/structure.py cycles            files that import each other in a loop
    scripts/structure.py check             the house rules below; exit 1 when one is broken

The house rules: no import cycle; no function over 120 lines and at most 5 over 80; no file
over 600 lines but those named in LONG_FILES, each with the reason it stays whole.

Tests are left out: files named tests.rs, *_tests.rs or test_*.rs, and `#[cfg(test)] mod`
blocks. A function's lines run from its `fn` line to its closing brace. An import is a
`crate::`, `super::` or `self::` path (in a `use` or in code) that names a file's module; a
path through a `mod.rs` re-export counts as an import of that `mod.rs`. The library and the
binary are two crates, measured apart.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# Files allowed over 600 lines, and why.
LONG_FILES = {}


def is_test_file(path):
    name = os.path.basename(path)
    return name == "tests.rs" or name.endswith("_tests.rs") or name.startswith("test_")


def source_files(top):
    for folder, dirs, names in os.walk(top):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            if name.endswith(".rs") and not is_test_file(path):
                yield path


def lex(text):
    """The text with comments, strings and char literals blanked (newlines kept), so that
    braces and paths can be read off it."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif re.match(r'b?r#*"', text[i:i + 260]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'b?r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c == '"' or (c == "b" and text.startswith('b"', i) and (i == 0 or not text[i - 1].isalnum())):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'":
            m = re.match(r"'(\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'", text[i:])
            if m:
                out.append("''")
                i += m.end()
            else:  # a lifetime
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def without_test_modules(code):
    """`code` with each `#[cfg(test)] mod … { … }` blanked (newlines kept)."""
    pattern = re.compile(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{")
    while True:
        m = pattern.search(code)
        if not m:
            return code
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        code = code[: m.start()] + "\n" * code.count("\n", m.start(), j) + code[j:]


FN = re.compile(r"\bfn\s+(\w+)")


def functions(path):
    """(lines, name, first line) of each function of the file outside test modules."""
    code = without_test_modules(lex(open(path, encoding="utf-8").read()))
    found, open_fns = [], []
    depth, pending, line = 0, None, 1
    i = 0
    while i < len(code):
        c = code[i]
        if c == "\n":
            line += 1
        elif c == "f":
            m = FN.match(code, i)
            if m and (i == 0 or not (code[i - 1].isalnum() or code[i - 1] == "_")):
                pending = (m.group(1), line)
                i = m.end()
                continue
        elif c == ";" and pending and depth == (open_fns[-1][2] if open_fns else depth):
            pending = None  # a declaration without a body (a trait's method)
        elif c == "{":
            depth += 1
            if pending:
                open_fns.append((pending[0], pending[1], depth))
                pending = None
        elif c == "}":
            if open_fns and open_fns[-1][2] == depth:
                name, first, _ = open_fns.pop()
                found.append((line - first + 1, name, first))
            depth -= 1
        i += 1
    return found


def lines_of(path):
    """Lines of the file outside its `#[cfg(test)]` modules."""
    text = open(path, encoding="utf-8").read()
    return text.count("\n") - test_lines(text)


def test_lines(text):
    """Lines inside `#[cfg(test)] mod … { … }` blocks, the attribute line included."""
    code = lex(text)
    pattern = re.compile(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{")
    count, start = 0, 0
    while True:
        m = pattern.search(code, start)
        if not m:
            return count
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        count += code.count("\n", m.start(), j) + 1
        start = j


def crates():
    """(name, folder, files) of the library and each binary."""
    src = os.path.join(ROOT, "src")
    bins = os.path.join(src, "bin")
    lib = [p for p in source_files(src) if not p.startswith(bins + os.sep)]
    yield "lib", src, lib
    if os.path.isdir(bins):
        for name in sorted(os.listdir(bins)):
            folder = os.path.join(bins, name)
            if os.path.isdir(folder):
                yield name, folder, list(source_files(folder))


def module_of(path, folder):
    parts = os.path.relpath(path, folder)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def expand_use(tree):
    tree = tree.strip()
    brace = tree.find("{")
    if brace < 0:
        return [re.sub(r"\s+as\s+\w+$", "", tree)]
    head = tree[:brace].rstrip(":").strip()
    body = tree[brace + 1 : tree.rfind("}")]
    items, depth, current = [], 0, ""
    for c in body:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if c == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += c
    items.append(current)
    paths = []
    for item in filter(None, (x.strip() for x in items)):
        for tail in expand_use(item):
            paths.append(f"{head}::{tail}" if head and tail != "self" else head or tail)
    return paths


ITEM = re.compile(
    r"^[ \t]*(?:pub(?:\([^)]*\))?\s+)?(?:(?:async|const|unsafe|extern\s+\"\w+\")\s+)*"
    r"(?:struct|enum|fn|trait|type|const|static|union|mod)\s+(\w+)",
    re.M,
)


def read_module(path):
    """What a file defines, what it hands on (`pub use`), and the paths it names."""
    code = without_test_modules(lex(open(path, encoding="utf-8").read()))
    # `pub(in crate::x)` names where an item is seen, not what it uses.
    code = re.sub(r"\bpub\(in\s+[\w:]+\)", "pub", code)
    defined = set(ITEM.findall(code)) | set(re.findall(r"macro_rules!\s*(\w+)", code))
    handed_on, paths = {}, []
    for m in re.finditer(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", code):
        for p in expand_use(m.group(2)):
            paths.append(p)
            if m.group(1):
                alias = re.search(r"\s+as\s+(\w+)$", p)
                handed_on[alias.group(1) if alias else p.split("::")[-1]] = p
    paths += re.findall(r"(?<![\w])\$?((?:crate|super|self)(?:::\w+)+)", code)
    # A child module declared here is named by its bare name (`calls::Calls`).
    children = re.findall(r"\bmod\s+(\w+)\s*;", code)
    if children:
        bare = r"(?<![\w:$])((?:" + "|".join(children) + r")(?:::\w+)+)"
        paths += re.findall(bare, code)
    return defined, handed_on, paths, set(children)


def imports(files, folder):
    """file -> {file it imports: names}, each name followed to the file that defines it."""
    modules = {module_of(p, folder): p for p in files}
    info = {m: read_module(p) for m, p in modules.items()}

    def absolute(module, path):
        segs = path.split("::")
        if segs[0] == "crate":
            return segs[1:]
        if segs[0] in ("super", "self"):
            base = list(module)
            while segs and segs[0] in ("super", "self"):
                if segs[0] == "super":
                    base = base[:-1]
                segs = segs[1:]
            return base + segs
        if segs[0] in info[module][3]:
            return list(module) + segs
        return None

    def owners(full, seen=()):
        """The files that what the absolute path `full` names passes through: a `mod.rs`
        that hands it on, and the file that defines it. An import through a re-export is
        an import of both, so a child that takes a sibling's item through its folder's
        `mod.rs` depends on that `mod.rs`."""
        for k in range(len(full), -1, -1):
            module = tuple(full[:k])
            if module in modules:
                rest = full[k:]
                name = rest[0] if rest else (module[-1] if module else "crate")
                if rest:
                    defined, handed_on, _, _ = info[module]
                    if name not in defined and name in handed_on and (module, name) not in seen:
                        target = absolute(module, handed_on[name])
                        if target is not None:
                            further = owners(target + rest[1:], seen + ((module, name),))
                            return [(module, name)] + further
                return [(module, name)]
        return []

    edges = {}
    for module, path in modules.items():
        targets = {}
        for p in info[module][2]:
            full = absolute(module, p)
            if full is None:
                continue
            for found, name in owners(full):
                if found != module:
                    targets.setdefault(modules[found], set()).add(name)
        edges[path] = targets
    return edges


def cycles(edges):
    """Strongly connected components of more than one file (Tarjan, iterative)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def rel(path):
    return os.path.relpath(path, ROOT)


def report_files(minimum):
    rows = []
    for _, _, files in crates():
        rows += [(lines_of(p), rel(p)) for p in files]
    big = sorted((r for r in rows if r[0] > minimum), reverse=True)
    for count, path in big:
        print(f"{count:6} {path}")
    print(f"{len(big)} of {len(rows)} files are over {minimum} lines")
    return big


def report_functions(minimum):
    rows = []
    for _, _, files in crates():
        for p in files:
            rows += [(n, f"{rel(p)}:{first} {name}") for n, name, first in functions(p)]
    long = sorted((r for r in rows if r[0] > minimum), reverse=True)
    for count, where in long:
        print(f"{count:6} {where}")
    print(f"{len(long)} of {len(rows)} functions are over {minimum} lines")
    return long


def report_cycles():
    total = []
    for name, folder, files in crates():
        edges = imports(files, folder)
        for component in cycles(edges):
            total.append(component)
            print(f"{name}: a cycle of {len(component)} files")
            members = set(component)
            for path in component:
                for target in sorted(set(edges[path]) & members):
                    names = ", ".join(sorted(edges[path][target]))
                    print(f"    {rel(path)} -> {rel(target)}: {names}")
    print(f"{len(total)} import cycles")
    return total


def check():
    """The house rules; 0 when all hold."""
    broken = []
    big = [(n, p) for n, p in report_files(600) if p not in LONG_FILES]
    if big:
        broken.append(f"{len(big)} files over 600 lines not in LONG_FILES")
    long = report_functions(80)
    if len(long) > 5:
        broken.append(f"{len(long)} functions over 80 lines (at most 5)")
    if any(n > 120 for n, _ in long):
        broken.append("a function over 120 lines")
    if report_cycles():
        broken.append("import cycles")
    for rule in broken:
        print(f"broken: {rule}")
    return 1 if broken else 0


def main(argv):
    command = argv[1] if len(argv) > 1 else "check"
    minimum = int(argv[2]) if len(argv) > 2 else None
    if command == "files":
        report_files(minimum or 600)
    elif command == "functions":
        report_functions(minimum or 80)
    elif command == "cycles":
        report_cycles()
    elif command == "check":
        return check()
    else:
        print(__doc__)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
