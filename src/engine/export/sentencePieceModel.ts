/**
 * A reader for SentencePiece's tokenizer.model (a serialized ModelProto, sentencepiece_model.proto), just the parts
 * GGUF export needs:
 *   ModelProto   { repeated SentencePiece pieces = 1; TrainerSpec trainer_spec = 2; NormalizerSpec normalizer_spec = 3; … }
 *   SentencePiece{ string piece = 1; float score = 2; Type type = 3 [default = NORMAL]; }
 *   TrainerSpec  { … ModelType model_type = 3 [default = UNIGRAM]; … }   (UNIGRAM 1, BPE 2, WORD 3, CHAR 4)
 * SentencePiece's Type enum (NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6) has the same numbers
 * as llama.cpp's token types, so a piece's type is written as is. Unknown fields are skipped by wire type, so newer
 * protos still read.
 */

export interface SentencePiece {
  piece: string;
  score: number;
  /** SentencePiece.Type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte. */
  type: number;
}

export interface SentencePieceModel {
  pieces: SentencePiece[];
  /** TrainerSpec.model_type: 'unigram' | 'bpe' | 'word' | 'char' (SentencePiece's default is unigram). */
  modelType: string;
}

const MODEL_TYPES: Record<number, string> = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A protobuf wire-format cursor over one message's bytes. */
class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly end = b.length) {}

  varint(): number {
    let v = 0, mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('tokenizer.model: truncated varint');
      const byte = this.b[this.pos++];
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('tokenizer.model: varint too long');
    }
  }

  /** The bytes of a length-delimited field, as a sub-reader. */
  sub(): Reader {
    const n = this.varint();
    if (this.pos + n > this.end) throw new Error('tokenizer.model: a field runs past the end of the file');
    const r = new Reader(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return r;
  }

  f32(): number {
    if (this.pos + 4 > this.end) throw new Error('tokenizer.model: truncated float');
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const n = this.varint(); // (not `pos += varint()`: that adds to pos as it was before the length was read)
      this.pos += n;
    }
    else if (wire === 5) this.pos += 4;
    else throw new Error(`tokenizer.model: unsupported protobuf wire type ${wire} (not a SentencePiece model?)`);
    if (this.pos > this.end) throw new Error('tokenizer.model: a field runs past the end of the file');
  }

  /** Calls `on(field, wire)` for each field; `on` reads the value or returns false to skip it. */
  fields(on: (field: number, wire: number) => boolean): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8), wire = key & 7;
      if (field === 0) throw new Error('tokenizer.model: field number 0 (not a SentencePiece model?)');
      if (!on(field, wire)) this.skip(wire);
    }
  }
}

function readPiece(r: Reader): SentencePiece {
  const p: SentencePiece = { piece: '', score: 0, type: 1 };
  r.fields((field, wire) => {
    if (field === 1 && wire === 2) {
      const s = r.sub();
      p.piece = utf8.decode(s.b);
    } else if (field === 2 && wire === 5) p.score = r.f32();
    else if (field === 3 && wire === 0) p.type = r.varint();
    else return false;
    return true;
  });
  return p;
}

/** Parses a tokenizer.model; throws a clear error on bytes that are not a SentencePiece ModelProto. */
export function readSentencePieceModel(bytes: Uint8Array): SentencePieceModel {
  const pieces: SentencePiece[] = [];
  let modelType = 1;
  const r = new Reader(bytes);
  r.fields((field, wire) => {
    if (field === 1 && wire === 2) pieces.push(readPiece(r.sub()));
    else if (field === 2 && wire === 2) {
      const t = r.sub();
      t.fields((f, w) => {
        if (f === 3 && w === 0) {
          modelType = t.varint();
          return true;
        }
        return false;
      });
    } else return false;
    return true;
  });
  if (pieces.length === 0) throw new Error('tokenizer.model has no pieces (not a SentencePiece model?)');
  return { pieces, modelType: MODEL_TYPES[modelType] ?? `type ${modelType}` };
}
