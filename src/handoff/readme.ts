/** README.md of the cluster hand-off: what is in the folder, the launch commands, and the step-0 check. */
import type { Recipe } from './recipe';

export function handoffReadme(r: Recipe, shipsBase: boolean): string {
  const t = r.training, l = r.lora;
  const model = shipsBase ? 'base_model (included here)' : `\`${r.base_model.load_from}\``;
  return `# ${r.run_name} — cluster hand-off

Exported from the WebGPU Fine-Tuning Studio. This folder continues the run on GPUs with exactly the data, masks,
${l ? 'LoRA (and its initial values), ' : ''}optimizer, schedule, batches and seed the studio used.

| | |
| --- | --- |
| base model | ${r.base_model.name} (${r.base_model.architecture}); train.py loads ${model} |
| method | ${l ? `LoRA r = ${l.r}, alpha = ${l.lora_alpha}, dropout = ${l.lora_dropout}${l.use_rslora ? ' (rsLoRA)' : ''}, ${l.modules} modules (${JSON.stringify(l.target_modules)})` : 'full-parameter'} |
| data | ${r.data.train_examples} training / ${r.data.validation_examples} validation examples, ${r.data.trained_tokens} trained tokens, mask mode ${r.data.mask_mode} |
| optimizer | AdamW lr ${t.lr}, betas (${r.optimizer.beta1}, ${r.optimizer.beta2}), eps ${r.optimizer.eps}, weight decay ${r.optimizer.weight_decay} on ${r.optimizer.decay_on}, max grad norm ${r.optimizer.max_grad_norm} |
| schedule | ${t.schedule}, ${t.warmup_steps} warmup steps, ${t.total_steps} steps (${t.steps_per_epoch} per epoch, ${t.epochs} epochs${t.max_steps ? `, capped at ${t.max_steps}` : ''}) |
| batches | ${t.batch_size} examples per micro-batch × ${t.grad_accum} accumulation, max length ${t.max_length}, seed ${t.seed} |

## The step-0 check

The studio's engine computed the loss of the first micro-batch (epoch 0, ${r.first_batch.examples} examples,
${r.first_batch.targets} trained targets) before any update:

    first-batch loss = ${r.first_batch.loss.toFixed(6)}

\`train.py\` prints its own value for the same batch before its first update, next to this one. They agree to about
1e-5 when the studio held the weights in float32, and to about 1e-3 when its GPU held them in float16 (the last
digits differ with kernels and precision). A larger gap means the model or tokenizer is not the one the run used.

## Run it

\`\`\`sh
pip install -r requirements.txt
python train.py --check-only                       # the step-0 check alone
python train.py                                    # one GPU (or CPU)
accelerate launch --config_file accelerate/ddp.yaml train.py              # many GPUs (DDP)
accelerate launch --config_file accelerate/fsdp.yaml train.py             # FSDP
accelerate launch --config_file accelerate/deepspeed_zero2.yaml train.py  # DeepSpeed ZeRO-2 (pip install deepspeed)
accelerate launch --config_file accelerate/deepspeed_zero3.yaml train.py  # DeepSpeed ZeRO-3
python train_trl.py                                # the same with TRL's SFTTrainer
axolotl train axolotl.yaml                         # the same with Axolotl
\`\`\`

Set \`num_processes\` in the accelerate configs to your GPU count. On N processes every optimizer step still uses the
studio's ${t.batch_size * t.grad_accum} examples: they are split across the processes and the loss is normalised by the
step's global target count, so the update is the single-GPU update. \`--per-device-batch\` only changes how many rows
go through one forward pass. \`--dtype bfloat16\` halves memory (the studio computes in float32).

## Files

- \`data/train.jsonl\`${r.data.validation_chat ? ', `data/validation.jsonl`' : ''}: the examples as chat messages (assistant turns keep their \`weight\`) or \`{"text"}\` documents.
- \`data/train.tokenized.jsonl\`${r.data.validation_tokenized ? ', `data/validation.tokenized.jsonl`' : ''}: \`input_ids\`, \`attention_mask\`, \`labels\` (-100 = not trained) —
  the studio's label builder's output, token for token, so no chat template or mask can drift.
- \`studio_data.py\`: the studio's shuffle and batching (seed + epoch), used by train.py and train_trl.py.
- \`train.py\`, \`train_trl.py\`, \`axolotl.yaml\`, \`accelerate/*.yaml\`: the launchers above.
${l ? '- `init_adapter/`: the LoRA exactly as the studio initialised it (A seeded per module, B = 0).\n' : ''}${shipsBase ? '- `base_model/`: the base model (it is not on the Hugging Face hub).\n' : ''}- \`recipe.json\`: every setting, read by the scripts.
${t.packed_in_studio ? '\nNote: the studio run packed several examples per row; these scripts train the same examples unpacked (one per\nrow), so micro-batch composition differs from the studio run.\n' : ''}`;
}
