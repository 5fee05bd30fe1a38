"""
Builds the trained SentencePiece fixtures used by the GGUF SPM-vocabulary tests and scripts/verify-gguf-llamacpp.ts:
  gemma/  SentencePiece BPE (byte_fallback, no dummy prefix, <pad>=0 <eos>=1 <bos>=2 <unk>=3, user-defined <mask>,
          <start_of_turn>, <end_of_turn>, "\\n\\n"), like Gemma 3's tokenizer
  llama/  SentencePiece BPE (byte_fallback, dummy prefix, <unk>=0 <s>=1 </s>=2), like Llama 2 / TinyLlama / Phi-3-mini
each as tokenizer.model (sentencepiece) + tokenizer.json (transformers' own SentencePiece → fast conversion) +
tokenizer_config.json (with added_tokens_decoder, as Hub checkpoints ship it).
Run: python src/text/__fixtures__/spm-trained/build.py  (sentencepiece, transformers >= 5, protobuf)
"""
import json, os, shutil, tempfile
import sentencepiece as spm
from transformers import AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = os.path.join(HERE, '../../../../public/general/mix.txt')
COMMON = dict(input=TEXT, model_type='bpe', byte_fallback=True, remove_extra_whitespaces=False, split_digits=True,
              character_coverage=0.9995, normalization_rule_name='identity', max_sentence_length=100000,
              input_sentence_size=20000, shuffle_input_sentence=False, num_threads=1)
GEMMA_TEMPLATE = ("{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}"
                  "{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim"
                  " + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}")
LLAMA_TEMPLATE = ("{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
                  "{% else %}{{ ' ' + message['content'] + eos_token }}{% endif %}{% endfor %}")


def build(name, train, cfg, template):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spm.SentencePieceTrainer.train(model_prefix=os.path.join(tmp, 'sp'), **COMMON, **train)
        src = os.path.join(tmp, 'src')
        os.makedirs(src)
        shutil.copy(os.path.join(tmp, 'sp.model'), os.path.join(src, 'tokenizer.model'))
        json.dump(cfg, open(os.path.join(src, 'tokenizer_config.json'), 'w'))
        tok = AutoTokenizer.from_pretrained(src)
        tok.save_pretrained(os.path.join(tmp, 'hf'))
        shutil.copy(os.path.join(tmp, 'sp.model'), os.path.join(out, 'tokenizer.model'))
        tj = json.load(open(os.path.join(tmp, 'hf', 'tokenizer.json')))
    json.dump(tj, open(os.path.join(out, 'tokenizer.json'), 'w'), ensure_ascii=False)
    decoder = {str(a['id']): {k: a[k] for k in ('content', 'lstrip', 'normalized', 'rstrip', 'single_word', 'special')} for a in tj['added_tokens']}
    json.dump({**cfg, 'added_tokens_decoder': decoder, 'chat_template': template, 'clean_up_tokenization_spaces': False},
              open(os.path.join(out, 'tokenizer_config.json'), 'w'), indent=2, ensure_ascii=False)


build('gemma', dict(vocab_size=700, pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece='<pad>', eos_piece='<eos>', bos_piece='<bos>',
                    unk_piece='<unk>', user_defined_symbols=['<mask>', '<start_of_turn>', '<end_of_turn>', '\n\n'],
                    add_dummy_prefix=False, allow_whitespace_only_pieces=True),
      {'tokenizer_class': 'GemmaTokenizer', 'bos_token': '<bos>', 'eos_token': '<eos>', 'pad_token': '<pad>', 'unk_token': '<unk>',
       'mask_token': '<mask>', 'add_bos_token': True, 'add_eos_token': False}, GEMMA_TEMPLATE)
build('llama', dict(vocab_size=640, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, add_dummy_prefix=True),
      {'tokenizer_class': 'LlamaTokenizer', 'bos_token': '<s>', 'eos_token': '</s>', 'unk_token': '<unk>', 'pad_token': None,
       'add_bos_token': True, 'add_eos_token': False, 'legacy': False}, LLAMA_TEMPLATE)
