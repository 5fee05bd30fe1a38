"""Live parity with Hugging Face tokenizers and chat templates (used by src/python/tokenizers.test.ts).

    python parity_tokenizers.py JOB.json OUT.json

JOB: {"cases": [{"name", "dir", "texts": [str], "chats": [{"messages": [...], "add_generation_prompt": bool,
"variables": {...}}]}]}: each dir holds tokenizer.json + tokenizer_config.json exactly as the studio loads them.

Per case: AutoTokenizer.from_pretrained(dir), then
  texts  tokenizer(text)["input_ids"] (the tokenizer's own special tokens added, as the studio's text prompts)
  chats  apply_chat_template(messages, tokenize=True, add_generation_prompt=…, **variables) (the rendered text is
         encoded without adding special tokens again)
Each entry is {"ids": [...]} or {"error": "..."} when the tokenizer or its template rejects the input.
"""
import json
import sys

import transformers
from transformers import AutoTokenizer


def ids_of(result):
    # transformers 5 returns a BatchEncoding (return_dict=True) from apply_chat_template(tokenize=True); 4.x a list.
    if hasattr(result, "keys"):
        result = result["input_ids"]
    return [int(i) for i in result]


def attempt(fn):
    try:
        return {"ids": ids_of(fn())}
    except Exception as e:  # a template's raise_exception, a missing variable, ...
        return {"error": f"{type(e).__name__}: {e}"}


def run_case(case):
    tok = AutoTokenizer.from_pretrained(case["dir"])
    texts = [attempt(lambda t=t: tok(t)["input_ids"]) for t in case["texts"]]
    chats = [
        attempt(lambda c=c: tok.apply_chat_template(c["messages"], tokenize=True, add_generation_prompt=c["add_generation_prompt"], **c.get("variables", {})))
        for c in case["chats"]
    ]
    return {"class": type(tok).__name__, "texts": texts, "chats": chats}


def main():
    job = json.load(open(sys.argv[1]))
    out = {"versions": {"transformers": transformers.__version__}, "cases": {c["name"]: run_case(c) for c in job["cases"]}}
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
