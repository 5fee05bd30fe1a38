"""Compares the tokenizer.* metadata of two GGUF files field by field (gguf-py). Usage: gguf-vocab-compare.py A.gguf B.gguf"""
import sys
from gguf import GGUFReader


def fields(path):
    r = GGUFReader(path)
    return {k: f.contents() for k, f in r.fields.items() if k.startswith('tokenizer.')}


a, b = fields(sys.argv[1]), fields(sys.argv[2])
same = True
for k in sorted(set(a) | set(b)):
    if k not in a or k not in b:
        print(f'  only in {"A" if k in a else "B"}: {k} = {repr(a.get(k, b.get(k)))[:80]}')
        same = False
        continue
    x, y = a[k], b[k]
    if isinstance(x, list):
        diff = [i for i in range(max(len(x), len(y))) if i >= len(x) or i >= len(y) or x[i] != y[i]]
        print(f'  {"=" if not diff else "≠"} {k} [{len(x)} vs {len(y)}]' + (f' first differences at {diff[:6]}: A {[x[i] if i < len(x) else None for i in diff[:6]]} B {[y[i] if i < len(y) else None for i in diff[:6]]}' if diff else ''))
        same = same and not diff
    else:
        print(f'  {"=" if x == y else "≠"} {k}: A {repr(x)[:60]} B {repr(y)[:60]}')
        same = same and x == y
print('IDENTICAL' if same else 'DIFFERENT')
