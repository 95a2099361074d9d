"""Code patterns: `M54.16` (exact), `M54.1-` (the code and all its children), `C00-C96` (a range
of three-character categories, inclusive)."""

from __future__ import annotations

from dataclasses import dataclass

from painpath.knowledge._schema import CodeSet

__all__ = ["CodeMatcher", "CompiledPatterns", "compile_patterns", "normalize_icd"]


def normalize_icd(code: str) -> str:
    """Upper-case, trimmed, with the dot after the third character (`m5416` -> `M54.16`)."""
    code = code.strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


@dataclass(frozen=True, slots=True)
class CompiledPatterns:
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]

    def matches(self, code: str) -> bool:
        if code in self.exact:
            return True
        if self.prefixes and code.startswith(self.prefixes):
            return True
        category = code[:3]
        return any(low <= category <= high for low, high in self.ranges)


def compile_patterns(patterns: list[str]) -> CompiledPatterns:
    exact: set[str] = set()
    prefixes: list[str] = []
    ranges: list[tuple[str, str]] = []
    for raw in patterns:
        pattern = raw.strip().upper()
        if pattern.endswith("-"):
            prefixes.append(pattern[:-1].rstrip("."))
        elif "-" in pattern:
            low, high = pattern.split("-", 1)
            ranges.append((low[:3], high[:3]))
        else:
            exact.add(pattern)
    return CompiledPatterns(frozenset(exact), tuple(prefixes), tuple(ranges))


class CodeMatcher:
    """Matches codes against CodeSets, compiling each set once (sets live with the knowledge)."""

    _MAX_MEMO = 200_000

    def __init__(self) -> None:
        self._compiled: dict[int, tuple[CompiledPatterns, CompiledPatterns]] = {}
        self._memo: dict[tuple[str, int], bool] = {}

    def _get(self, codes: CodeSet) -> tuple[CompiledPatterns, CompiledPatterns]:
        key = id(codes)
        found = self._compiled.get(key)
        if found is None:
            found = (compile_patterns(codes.codes), compile_patterns(codes.exclude))
            self._compiled[key] = found
        return found

    def matches(self, code: str, codes: CodeSet) -> bool:
        """True when `code` is in the set's patterns and not in its exclusions (memoized)."""
        key = (code, id(codes))
        found = self._memo.get(key)
        if found is None:
            include, exclude = self._get(codes)
            found = include.matches(code) and not exclude.matches(code)
            if len(self._memo) >= self._MAX_MEMO:
                self._memo.clear()
            self._memo[key] = found
        return found
