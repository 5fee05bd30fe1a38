/**
 * The peer of the train_step suite: one LoRA training step of a GPT-2-shaped model written the way a web developer
 * would with TensorFlow.js — the forward pass in tf ops, gradients by autograd (tf.variableGrads over the LoRA
 * variables only; the base weights are constant tensors), and tf.train.adam applying them.
 *
 * Same math as our engine (and HF GPT2LMHeadModel + PEFT): LayerNorm (eps from the config), fused c_attn Conv1D
 * (x·W + b, W [in, out]) plus LoRA scale·(x·Aᵀ)·Bᵀ, causal softmax attention, c_proj, GELU(tanh) MLP, tied LM head,
 * mean cross-entropy of logits[t] against ids[t+1]. Both sides start from the same weights, so their first losses
 * must agree: the suite reports both.
 */
import type { ModelConfig } from '../../../engine/model/config';
import type { LoraTarget } from '../../../engine/model/lora';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Variable = import('@tensorflow/tfjs-core').Variable;
type Optimizer = import('@tensorflow/tfjs-core').Optimizer;

export interface TfLoraStep {
  /** One optimizer step; resolves with its loss once every update has run (the loss is read back). */
  step(): Promise<number>;
  dispose(): void;
}

let builds = 0;

/**
 * Builds the model on tf's current backend from host weights (logical HF names, checkpoint layouts) and LoRA values
 * (PEFT keys). `ids` is one row of T tokens; every next-token target is trained.
 */
export function tfGpt2LoraStep(
  tf: Tf,
  cfg: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  targets: readonly LoraTarget[],
  loraValues: ReadonlyMap<string, Float32Array>,
  ids: Int32Array,
  lr: number,
): TfLoraStep {
  if (cfg.modelType !== 'gpt2') throw new Error('tfGpt2LoraStep builds GPT-2 models only');
  const T = ids.length, C = cfg.hidden, H = cfg.nHeads, D = cfg.headDim, V = cfg.vocabSize;
  const tag = ++builds;
  const consts: Tensor[] = [];
  const keep = <X extends Tensor>(t: X): X => (consts.push(t), t);
  const w = (name: string, shape: number[]) => {
    const v = weights.get(name);
    if (!v) throw new Error(`peer: weight ${name} missing`);
    return keep(tf.tensor(v, shape, 'float32'));
  };
  const wte = w('transformer.wte.weight', [V, C]);
  const wpe = w('transformer.wpe.weight', [cfg.maxPositions, C]);
  const layers = Array.from({ length: cfg.nLayers }, (_, i) => {
    const p = `transformer.h.${i}.`;
    return {
      ln1g: w(`${p}ln_1.weight`, [C]), ln1b: w(`${p}ln_1.bias`, [C]),
      attnW: w(`${p}attn.c_attn.weight`, [C, 3 * C]), attnB: w(`${p}attn.c_attn.bias`, [3 * C]),
      projW: w(`${p}attn.c_proj.weight`, [C, C]), projB: w(`${p}attn.c_proj.bias`, [C]),
      ln2g: w(`${p}ln_2.weight`, [C]), ln2b: w(`${p}ln_2.bias`, [C]),
      fcW: w(`${p}mlp.c_fc.weight`, [C, cfg.intermediate]), fcB: w(`${p}mlp.c_fc.bias`, [cfg.intermediate]),
      fc2W: w(`${p}mlp.c_proj.weight`, [cfg.intermediate, C]), fc2B: w(`${p}mlp.c_proj.bias`, [C]),
    };
  });
  const lnfG = w('transformer.ln_f.weight', [C]), lnfB = w('transformer.ln_f.bias', [C]);

  // LoRA on c_attn only (the peer's case): one trainable (A, B) pair per layer.
  const lora = layers.map((_, i) => {
    const t = targets.find((x) => x.layer === i && x.local === 'attn.c_attn');
    if (!t) return null;
    const A = tf.variable(tf.tensor(loraValues.get(t.keyA)!, [t.r, t.inFeatures]), true, `peer${tag}.${t.keyA}`);
    const B = tf.variable(tf.tensor(loraValues.get(t.keyB)!, [t.outFeatures, t.r]), true, `peer${tag}.${t.keyB}`);
    return { A, B, scale: t.scale };
  });
  const vars: Variable[] = lora.flatMap((l) => (l ? [l.A, l.B] : []));
  if (targets.some((t) => t.local !== 'attn.c_attn')) throw new Error('peer: LoRA on c_attn only');

  const tokens = keep(tf.tensor1d(ids, 'int32'));
  const positions = keep(tf.range(0, T, 1, 'int32'));
  const nextIds = keep(tf.tidy(() => tf.oneHot(tf.tensor1d(ids.subarray(1), 'int32'), V))); // targets of rows 0..T-2
  const maskData = new Float32Array(T * T);
  for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) maskData[q * T + k] = -1e9;
  const mask = keep(tf.tensor(maskData, [1, T, T]));
  const invSqrtD = 1 / Math.sqrt(D);
  const geluC = Math.sqrt(2 / Math.PI);

  const layerNorm = (x: Tensor, g: Tensor, b: Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, cfg.normEps))), g), b);
  };
  const gelu = (x: Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), geluC))));
  const heads = (x: Tensor) => tf.transpose(tf.reshape(x, [T, H, D]), [1, 0, 2]); // (H, T, D)

  const loss = (): import('@tensorflow/tfjs-core').Scalar => {
    let x: Tensor = tf.add(tf.gather(wte, tokens), tf.gather(wpe, positions)); // (T, C)
    layers.forEach((L, i) => {
      const h = layerNorm(x, L.ln1g, L.ln1b);
      let qkv: Tensor = tf.add(tf.matMul(h, L.attnW), L.attnB);
      const l = lora[i];
      if (l) qkv = tf.add(qkv, tf.mul(tf.matMul(tf.matMul(h, l.A, false, true), l.B, false, true), l.scale));
      const [q, k, v] = tf.split(qkv, 3, 1);
      const scores = tf.add(tf.mul(tf.matMul(heads(q), heads(k), false, true), invSqrtD), mask);
      const att = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), heads(v)), [1, 0, 2]), [T, C]);
      x = tf.add(x, tf.add(tf.matMul(att, L.projW), L.projB));
      const m = gelu(tf.add(tf.matMul(layerNorm(x, L.ln2g, L.ln2b), L.fcW), L.fcB));
      x = tf.add(x, tf.add(tf.matMul(m, L.fc2W), L.fc2B));
    });
    const logits = tf.matMul(tf.slice(layerNorm(x, lnfG, lnfB), [0, 0], [T - 1, C]), wte, false, true); // (T-1, V)
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), nextIds), -1)));
  };

  // Typed as the base Optimizer: AdamOptimizer's own declaration narrows applyGradients to variables (a typing slip).
  const optimizer: Optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  return {
    async step() {
      const value = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, vars);
        optimizer.applyGradients(grads);
        return value;
      });
      const out = (await value.data())[0];
      value.dispose();
      return out;
    },
    dispose() {
      optimizer.dispose();
      tf.dispose([...consts, ...vars]);
    },
  };
}
